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

  it("the adversary acts in every run and changes nothing", () => {
    let forged = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const r = runSeed(seed);
      expect(r.forged).toBeGreaterThan(0);
      expect(r.violations).toEqual([]);
      forged += r.forged;
    }
    expect(forged).toBeGreaterThan(40 * 10);
  });

  it("the adversary does not change the world's random stream: a run without it takes the same steps apart from its own", () => {
    const a = runSeed(77, { fullTrace: true });
    const b = runSeed(77, { fullTrace: true, adversary: false });
    const own = (l: string) => l.includes("adversary");
    expect(a.trace.filter((l) => !own(l))).toEqual(b.trace.filter((l) => !own(l)));
  });
});

/** The first seed from 1 whose insecure run has the trade-off. */
function firstTakeover(): number {
  for (let seed = 1; seed <= 100; seed++) {
    if (runSeed(seed, { adversary: { keyMode: false } }).insecureTakeovers > 0) return seed;
  }
  throw new Error("no takeover in 100 seeds");
}

describe("the invariants can fail (injected bugs)", () => {
  it("a standby that takes over without resetting its peer: two actives / two VIPs within 100 seeds", () => {
    const batch = runBatch(1, 100, { bugs: { fenceWithoutReset: true }, maxFailures: 1 });
    expect(batch.failures.length).toBe(1);
    expect(["single-active", "single-vip"]).toContain(batch.failures[0]!.violations[0]!.invariant);
    // The failing seed replays the same violation.
    const again = runSeed(batch.failures[0]!.seed, { bugs: { fenceWithoutReset: true } });
    expect(again.violations[0]).toEqual(batch.failures[0]!.violations[0]);
  });

  it("a connector that matches DUMP notices by subsystem alone: the adversary's notice makes an ATTENTION DUMP within 100 seeds", () => {
    const batch = runBatch(1, 100, { bugs: { noticeBySubsystem: true }, maxFailures: 1 });
    expect(batch.failures.length).toBe(1);
    expect(batch.failures[0]!.violations[0]!.invariant).toBe("forged-dump");
  });

  it("ATTENTION cancel keys without port and subsystem (before #17): a forged ACK from the monitor's address cuts the repeats within 300 seeds", () => {
    const insecure = { keyMode: false };
    const batch = runBatch(1, 300, { adversary: insecure, bugs: { ackKeysByAddress: true }, maxFailures: 1 });
    expect(batch.failures[0]?.violations[0]?.invariant).toBe("unauthenticated-cancel");
    expect(batch.failures[0]?.violations[0]?.message).toMatch(/forged ACK .* cut attention/);
    // The daemon's keys (address, port, subsystem) refuse the same ACKs.
    const product = runBatch(1, 100, { adversary: insecure });
    expect(product.failures.map((f) => f.violations[0])).toEqual([]);
  });

  it("squatting CHECKs without a key: live registrations never move; stale ones taken are counted as the trade-off, not hidden", () => {
    const batch = runBatch(1, 100, { adversary: { keyMode: false } });
    expect(batch.failures.map((f) => f.violations[0])).toEqual([]);
    expect(batch.keyModeRuns).toBe(0);
    // The documented no-key trade-off happens and is reported.
    expect(batch.insecureTakeovers).toBeGreaterThan(0);
    const one = runSeed(firstTakeover(), { adversary: { keyMode: false }, fullTrace: true });
    expect(
      one.trace.some((l) => /TRADE-OFF .*moved the registration .*\((stale|free slot); no key/.test(l)),
    ).toBe(true);
  });

  it("squatting CHECKs in key mode: no unsigned CHECK ever takes a registration (and a socket that let them through is caught)", () => {
    const batch = runBatch(1, 100, { adversary: { keyMode: true } });
    expect(batch.failures.map((f) => f.violations[0])).toEqual([]);
    expect(batch.keyModeRuns).toBe(100);
    expect(batch.insecureTakeovers).toBe(0);
    const buggy = runBatch(1, 300, {
      adversary: { keyMode: true },
      bugs: { keyModeAcceptsUnsigned: true },
      maxFailures: 1,
    });
    expect(buggy.failures[0]?.violations[0]?.invariant).toBe("unauthenticated-cancel");
    expect(buggy.failures[0]?.violations[0]?.message).toMatch(/moved the registration .* in key mode/);
  });

  it("a standby that answers RESETs too (no arbitration between nodes): a pair race within 100 seeds", () => {
    const batch = runBatch(1, 100, { bugs: { standbyAnswers: true }, maxFailures: 1 });
    expect(batch.failures.length).toBe(1);
    expect(batch.failures[0]!.violations[0]!.invariant).toBe("pair-race");
  });

  it("FENCE: a requester fencing a rebooted target again gets a real reset; a connector that ignores the flag answers DUMP for a running system within 100 seeds", () => {
    const fixed = runBatch(1, 100, { refence: true });
    expect(fixed.failures.map((f) => f.violations[0])).toEqual([]);
    expect(fixed.fenceRequests).toBeGreaterThan(50);
    const buggy = runBatch(1, 100, { refence: true, bugs: { fenceFlagIgnored: true }, maxFailures: 1 });
    expect(buggy.failures[0]?.violations[0]?.invariant).toBe("fence-not-down");
  });
});
