import { describe, expect, it } from "vitest";
import { runBatch } from "./batch.js";
import { runSeed } from "./simulation.js";

describe("one simulated run", () => {
  it("replays exactly from its seed", () => {
    const a = runSeed(1234, { fullTrace: true });
    const b = runSeed(1234, { fullTrace: true });
    expect(b.trace).toEqual(a.trace);
    expect(b.steps).toBe(a.steps);
    expect(runSeed(1235, { fullTrace: true }).trace).not.toEqual(a.trace);
  });

  it("exercises the reset path: resets are requested, accepted and answered", () => {
    let requests = 0;
    let nmis = 0;
    let results = 0;
    let takeovers = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const r = runSeed(seed, { fullTrace: true });
      requests += r.requests;
      nmis += r.trace.filter((l) => / nmi .* issued$/.test(l)).length;
      results += r.trace.filter((l) => / result #\d+ /.test(l)).length;
      takeovers += r.trace.filter((l) => /becomes active term [2-9].*\(fenced\)/.test(l)).length;
    }
    expect(requests).toBeGreaterThan(20);
    expect(nmis).toBeGreaterThan(10);
    expect(results).toBeGreaterThan(10);
    expect(takeovers).toBeGreaterThan(3);
  });
});

describe("the invariants can fail (injected bugs)", () => {
  it("a standby that takes over without resetting its peer: two actives / two VIPs within 100 seeds", () => {
    const batch = runBatch(1, 100, { bugs: { fenceWithoutReset: true }, maxFailures: 1 });
    expect(batch.failures.length).toBe(1);
    expect(["single-active", "single-vip"]).toContain(batch.failures[0]!.violations[0]!.invariant);
    // The failing seed replays the same violation.
    const again = runSeed(batch.failures[0]!.seed, { bugs: { fenceWithoutReset: true } });
    expect(again.violations[0]).toEqual(batch.failures[0]!.violations[0]);
  });

  it("a standby that answers RESETs too (no arbitration between nodes): a pair race within 100 seeds", () => {
    const batch = runBatch(1, 100, { bugs: { standbyAnswers: true }, maxFailures: 1 });
    expect(batch.failures.length).toBe(1);
    expect(batch.failures[0]!.violations[0]!.invariant).toBe("pair-race");
  });
});
