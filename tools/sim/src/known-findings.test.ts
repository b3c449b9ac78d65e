// Findings of the simulator in core/ha (docs/reliability.md "Findings", all fixed). Each test
// replays the seed that showed it and asserts that every invariant now holds.

import { describe, expect, it } from "vitest";
import { runSeed } from "./simulation.js";

describe("known findings (seeds replay them)", () => {
  it("F1 seed 36: a takeover after a duplex-link cut hard-resets a system whose DUMP notice the fenced active had received", () => {
    expect(runSeed(36).violations).toEqual([]);
  });

  it("F1 seed 1241: a takeover after a link cut loses the old active's pair arbitration (both members NMI'd)", () => {
    expect(runSeed(1241).violations).toEqual([]);
  });

  it("F2 seed 286: a restarted daemon with no state becomes active while the standby is fencing it (ERROR then DUMP)", () => {
    expect(runSeed(286).violations).toEqual([]);
  });

  // Residual of F1 (docs/reliability.md): the fenced active received P1's DUMP notice alone and
  // the two repeats after the takeover were lost before the dump ended. Closed by notifier rule 2
  // (repeats for the whole dump until DUMP-ACK `accepted`) and the 4 s takeover grace.
  it("F1 residual, seed 75599: every DUMP-notice repeat after the takeover lost", () => {
    expect(runSeed(75599).violations).toEqual([]);
  });
});
