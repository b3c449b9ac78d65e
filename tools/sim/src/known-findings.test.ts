// Findings of the simulator in core/ha (described in docs/reliability.md "Findings"). Each test
// replays the seed that shows it and asserts the invariant holds: they fail today (`it.fails`)
// and start passing — so must lose their `.fails` — when the finding is fixed.

import { describe, expect, it } from "vitest";
import { runSeed } from "./simulation.js";

describe("known findings (seeds replay them)", () => {
  it.fails("F1 seed 36: a takeover after a duplex-link cut hard-resets a system whose DUMP notice the fenced active had received", () => {
    expect(runSeed(36).violations).toEqual([]);
  });

  it.fails("F1 seed 1241: a takeover after a link cut loses the old active's pair arbitration (both members NMI'd)", () => {
    expect(runSeed(1241).violations).toEqual([]);
  });

  it.fails("F2 seed 286: a restarted daemon with no state becomes active while the standby is fencing it (ERROR then DUMP)", () => {
    expect(runSeed(286).violations).toEqual([]);
  });

  it("the findings are what the seeds show", () => {
    expect(runSeed(36).violations[0]?.invariant).toBe("reset-after-dump");
    expect(runSeed(1241).violations[0]?.invariant).toBe("pair-race");
    expect(runSeed(286).violations[0]?.invariant).toBe("one-result");
  });
});
