import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { initialState, nextTickDelay, peerDeadline, transition } from "./election.js";
import { heartbeatEvent } from "./heartbeat-fixture.js";
import { PairSimulation } from "./test/pair-simulation.js";
import { DEFAULT_TIMING, type HaEvent, type HaState } from "./types.js";

// Unit tests step a single node from time 0; the freshness window has its own test.
const T = { ...DEFAULT_TIMING, freshnessMs: 0 };
const hb = (now: number, role: HaState["role"], term = 1, from = "HACON2"): HaEvent =>
  heartbeatEvent(now, role, term, from);
const kinds = (fx: { kind: string }[]) => fx.map((f) => f.kind).filter((k) => k !== "log");

describe("start-up", () => {
  it("becomes standby when the peer is active", () => {
    const s = initialState({ self: "HACON1", peerName: "HACON2", preferred: true, now: 0 });
    const [next, fx] = transition(s, hb(100, "active", 4), T);
    expect(next.role).toBe("standby");
    expect(next.term).toBe(4);
    expect(kinds(fx)).toEqual(["becomeStandby"]);
  });

  it("both undecided: only the preferred node claims active", () => {
    const a = initialState({ self: "HACON1", peerName: "HACON2", preferred: true, now: 0 });
    const b = initialState({ self: "HACON2", peerName: "HACON1", preferred: false, now: 0 });
    expect(transition(a, hb(10, "undecided", 0), T)[0].role).toBe("active");
    expect(transition(b, hb(10, "undecided", 0, "HACON1"), T)[0].role).toBe("undecided");
  });

  it("alone: the preferred node probes the VIP after the start wait and claims active when it is free", () => {
    let s = initialState({ self: "HACON1", peerName: "HACON2", preferred: true, now: 0 });
    let fx: { kind: string }[];
    [s, fx] = transition(s, { type: "tick", now: T.startWaitMs - 1 }, T);
    expect(kinds(fx)).toEqual([]);
    [s, fx] = transition(s, { type: "tick", now: T.startWaitMs }, T);
    expect(kinds(fx)).toEqual(["probeVip"]);
    [s, fx] = transition(s, { type: "vipProbed", now: T.startWaitMs + 5, inUse: false }, T);
    expect(s.role).toBe("active");
    expect(kinds(fx)).toEqual(["becomeActive"]);
  });

  it("ignores heartbeats during the freshness window after its start", () => {
    const s = initialState({ self: "HACON2", peerName: "HACON1", preferred: false, now: 1000 });
    const early = transition(
      s,
      hb(1000 + DEFAULT_TIMING.freshnessMs - 1, "standby", 2, "HACON1"),
      DEFAULT_TIMING,
    );
    expect(early[0].role).toBe("undecided");
    const late = transition(s, hb(1000 + DEFAULT_TIMING.freshnessMs, "standby", 2, "HACON1"), DEFAULT_TIMING);
    expect(late[0].role).toBe("active");
  });

  it("ignores heartbeats from a node that is not its configured peer", () => {
    const s = initialState({ self: "HACON1", peerName: "HACON2", preferred: true, now: 0 });
    const [next] = transition(s, hb(5, "active", 9, "INTRUDER"), T);
    expect(next.role).toBe("undecided");
    expect(next.peer).toBeNull();
  });
});

describe("takeover", () => {
  const standby = (): HaState => {
    const s = initialState({ self: "HACON2", peerName: "HACON1", preferred: false, now: 0 });
    return transition(s, hb(10, "active", 3, "HACON1"), T)[0];
  };

  it("fences the silent active before taking over, never before", () => {
    let s = standby();
    let fx: { kind: string }[];
    [s, fx] = transition(s, { type: "tick", now: 10 + T.heartbeatMs * T.missCount }, T);
    expect(kinds(fx)).toEqual([]);
    [s, fx] = transition(s, { type: "tick", now: 11 + T.heartbeatMs * T.missCount }, T);
    expect(kinds(fx)).toEqual(["fencePeer"]);
    expect(s.role).toBe("standby");
    [s, fx] = transition(s, { type: "fenced", now: 700, ok: true, method: "bmc" }, T);
    expect(s.role).toBe("active");
    expect(s.term).toBe(4);
    expect(s.peerStatus).toBe("reset");
  });

  it("peerDeadline is the first instant the silent active counts as lost; a tick then fences", () => {
    const budget = T.heartbeatMs * T.missCount;
    const s = standby(); // heard at 10
    expect(peerDeadline(s, T)).toBe(10 + budget + 1);
    expect(kinds(transition(s, { type: "tick", now: 10 + budget }, T)[1])).toEqual([]);
    const [fencing, fx] = transition(s, { type: "tick", now: peerDeadline(s, T)! }, T);
    expect(kinds(fx)).toEqual(["fencePeer"]);
    // Fencing, active, undecided, or nobody heard yet: no deadline to tick for.
    expect(peerDeadline(fencing, T)).toBeUndefined();
    const fresh = initialState({ self: "HACON2", peerName: "HACON1", preferred: false, now: 0 });
    expect(peerDeadline(fresh, T)).toBeUndefined();
    expect(peerDeadline({ ...s, role: "active" }, T)).toBeUndefined();
  });

  it("nextTickDelay shortens the regular tick to land on the deadline, never below 1 ms, never spins", () => {
    const budget = T.heartbeatMs * T.missCount;
    const s = standby(); // deadline 10 + budget + 1
    const deadline = 11 + budget;
    expect(nextTickDelay(s, 10, T, 50)).toBe(50); // far away: the regular period
    expect(nextTickDelay(s, deadline - 20, T, 50)).toBe(20);
    expect(nextTickDelay(s, deadline - 0.4, T, 50)).toBe(1);
    // Past the deadline (e.g. the tick held back by an activation backoff): the regular period.
    expect(nextTickDelay(s, deadline, T, 50)).toBe(50);
    expect(nextTickDelay(s, deadline + 100, T, 50)).toBe(50);
    expect(nextTickDelay({ ...s, role: "active" }, deadline - 20, T, 50)).toBe(50);
  });

  it("a lost sync connection starts fencing at once", () => {
    const [s, fx] = transition(standby(), { type: "peerLost", now: 50 }, T);
    expect(kinds(fx)).toEqual(["fencePeer"]);
    expect(s.fencing?.inFlight).toBe(true);
  });

  it("does not take over when fencing fails; shows the peer in error and retries", () => {
    let s = standby();
    let fx: { kind: string }[];
    [s] = transition(s, { type: "peerLost", now: 50 }, T);
    [s, fx] = transition(s, { type: "fenced", now: 90, ok: false, error: "DEVICE_TIMEOUT" }, T);
    expect(s.role).toBe("standby");
    expect(s.peerStatus).toBe("error");
    expect(kinds(fx)).toEqual([]);
    [s, fx] = transition(s, { type: "tick", now: 90 + T.fenceRetryMs - 1 }, T);
    expect(kinds(fx)).toEqual([]);
    [s, fx] = transition(s, { type: "tick", now: 90 + T.fenceRetryMs }, T);
    expect(fx).toContainEqual({ kind: "fencePeer", attempt: 2 });
  });

  it("a clean hand-over needs no fencing", () => {
    const [s, fx] = transition(standby(), { type: "handover", now: 60, from: "HACON1", term: 3 }, T);
    expect(s.role).toBe("active");
    expect(kinds(fx)).toEqual(["becomeActive"]);
  });

  it("a hand-over heard while a fence is in flight waits for the fence's result", () => {
    let s = standby();
    let fx: { kind: string }[];
    [s] = transition(s, { type: "peerLost", now: 50 }, T);
    [s, fx] = transition(s, { type: "handover", now: 60, from: "HACON1", term: 3 }, T);
    expect(s.role).toBe("standby");
    expect(kinds(fx)).not.toContain("becomeActive");
    [s, fx] = transition(s, { type: "fenced", now: 90, ok: true, method: "bmc" }, T);
    expect(s.role).toBe("active");
    expect(fx).toContainEqual(expect.objectContaining({ kind: "becomeActive", reason: "fenced" }));
  });

  it("the fenced peer back as a standby shows its management server normal again", () => {
    let s = standby();
    [s] = transition(s, { type: "peerLost", now: 50 }, T);
    [s] = transition(s, { type: "fenced", now: 700, ok: true, method: "bmc" }, T);
    expect(s.peerStatus).toBe("reset");
    [s] = transition(s, hb(900, "undecided", 3, "HACON1"), T);
    expect(s.peerStatus).toBe("reset");
    [s] = transition(s, hb(1200, "standby", 4, "HACON1"), T);
    expect(s.peerStatus).toBe("normal");
  });

  it("the same active coming back (network glitch) cancels a failed fence", () => {
    let s = standby();
    [s] = transition(s, { type: "peerLost", now: 50 }, T);
    [s] = transition(s, { type: "fenced", now: 90, ok: false, error: "x" }, T);
    [s] = transition(s, hb(100, "active", 3, "HACON1"), T);
    expect(s.fencing).toBeNull();
    expect(s.role).toBe("standby");
  });

  it("the active never fences the standby", () => {
    let s = initialState({ self: "HACON1", peerName: "HACON2", preferred: true, now: 0 });
    [s] = transition(s, hb(1, "undecided", 0), T);
    expect(s.role).toBe("active");
    for (const e of [{ type: "peerLost", now: 5 } as const, { type: "tick", now: 100_000 } as const]) {
      const [, fx] = transition(s, e, T);
      expect(kinds(fx)).not.toContain("fencePeer");
    }
  });

  it("an active that meets an active with a higher term steps down", () => {
    let s = initialState({ self: "HACON1", peerName: "HACON2", preferred: true, now: 0 });
    [s] = transition(s, hb(1, "undecided", 0), T);
    const [down, fx] = transition(s, hb(2, "active", s.term + 1), T);
    expect(down.role).toBe("undecided");
    expect(kinds(fx)).toEqual(["stepDown"]);
  });

  it("hand-over on request: steps down and tells the peer", () => {
    let s = initialState({ self: "HACON1", peerName: "HACON2", preferred: true, now: 0 });
    [s] = transition(s, hb(1, "undecided", 0), T);
    const [next, fx] = transition(s, { type: "requestHandover", now: 5 }, T);
    expect(next.role).toBe("undecided");
    expect(kinds(fx)).toEqual(["stepDown", "sendHandover"]);
  });
});

describe("pair simulation", () => {
  // Checked after every simulated millisecond, so it is a plain comparison, not an expect().
  const invariant = (sim: PairSimulation) => () => {
    if (sim.activeCount() > 1 || sim.vipHolders() > 1) {
      throw new Error(`two actives or VIP holders at ${sim.now}:\n${sim.history.join("\n")}`);
    }
  };

  it("settles to one active and one standby from a simultaneous start", () => {
    const sim = new PairSimulation();
    sim.run(3000, invariant(sim));
    expect(sim.nodes.map((n) => n.state.role).sort()).toEqual(["active", "standby"]);
  });

  it("kill -9 of the active: the standby fences it and holds the VIP within a second", () => {
    const sim = new PairSimulation({ rebootMs: null });
    sim.run(3000, invariant(sim));
    const active = sim.nodes.findIndex((n) => n.state.role === "active");
    sim.kill(active);
    const killedAt = sim.now;
    let tookOver = -1;
    sim.run(2000, () => {
      invariant(sim)();
      if (tookOver < 0 && sim.nodes[1 - active]!.vip) tookOver = sim.now;
    });
    expect(sim.nodes[1 - active]!.state.role).toBe("active");
    expect(tookOver - killedAt).toBeLessThan(1000);
  });

  it("duplex link cut: exactly one active afterwards, never two at once", () => {
    const sim = new PairSimulation({ rebootMs: 3000 });
    sim.run(3000, invariant(sim));
    sim.linkUp = false;
    sim.run(10_000, invariant(sim));
    expect(sim.activeCount()).toBe(1);
  });

  it("fencing impossible: no takeover, the peer is shown in error", () => {
    const sim = new PairSimulation({ fenceWorks: () => false });
    sim.run(3000, invariant(sim));
    const active = sim.nodes.findIndex((n) => n.state.role === "active");
    sim.kill(active);
    sim.run(10_000, invariant(sim));
    expect(sim.nodes[1 - active]!.state.role).toBe("standby");
    expect(sim.nodes[1 - active]!.state.peerStatus).toBe("error");
    expect(sim.vipHolders()).toBe(1); // only the dead node's leftover: nobody added a second
  });

  it("random kills, restarts and link flaps never make two actives or two VIP holders", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            at: fc.integer({ min: 1, max: 400 }),
            what: fc.constantFrom("kill0", "kill1", "start0", "start1", "cut", "heal"),
          }),
          { maxLength: 12 },
        ),
        fc.boolean(),
        (steps, fenceOk) => {
          const sim = new PairSimulation({ rebootMs: 2500, fenceWorks: () => fenceOk });
          const check = invariant(sim);
          sim.run(2500, check);
          for (const step of steps) {
            sim.run(step.at * 10, check);
            if (step.what === "cut") sim.linkUp = false;
            else if (step.what === "heal") sim.linkUp = true;
            else {
              const i = Number(step.what.at(-1));
              if (step.what.startsWith("kill") && sim.nodes[i]!.alive) sim.kill(i);
              if (step.what.startsWith("start") && !sim.nodes[i]!.alive) sim.start(i);
            }
          }
          sim.linkUp = true;
          sim.run(8000, check);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("lone start behind a cut duplex link", () => {
  it("a silent peer whose VIP still answers is fenced before this node takes over", () => {
    let s = initialState({ self: "HACON1", peerName: "HACON2", preferred: true, now: 0 });
    let fx: { kind: string }[];
    [s, fx] = transition(s, { type: "tick", now: T.startWaitMs }, T);
    [s, fx] = transition(s, { type: "vipProbed", now: T.startWaitMs + 5, inUse: true }, T);
    expect(s.role).toBe("undecided");
    expect(kinds(fx)).toEqual(["fencePeer"]);
    [s, fx] = transition(s, { type: "fenced", now: T.startWaitMs + 50, ok: true }, T);
    expect(s.role).toBe("active");
  });

  it("the non-preferred node fences the preferred one before claiming", () => {
    let s = initialState({ self: "HACON2", peerName: "HACON1", preferred: false, now: 0 });
    let fx: { kind: string }[];
    [s, fx] = transition(s, { type: "tick", now: T.startWaitMs }, T);
    [s, fx] = transition(s, { type: "vipProbed", now: T.startWaitMs + 5, inUse: false }, T);
    expect(s.role).toBe("undecided");
    expect(kinds(fx)).toEqual(["fencePeer"]);
    [s, fx] = transition(s, { type: "fenced", now: T.startWaitMs + 50, ok: false, error: "x" }, T);
    expect(s.role).toBe("undecided");
    [s, fx] = transition(s, { type: "tick", now: T.startWaitMs + 50 + T.fenceRetryMs }, T);
    expect(kinds(fx)).toEqual(["fencePeer"]);
    [s, fx] = transition(s, { type: "fenced", now: T.startWaitMs + 60 + T.fenceRetryMs, ok: true }, T);
    expect(s.role).toBe("active");
  });

  it("both start alone with the link cut: never two actives", () => {
    const sim = new PairSimulation({ rebootMs: 1500 });
    sim.linkUp = false;
    let worst = 0;
    sim.run(20_000, () => {
      worst = Math.max(worst, sim.activeCount(), sim.vipHolders());
    });
    expect(worst).toBe(1);
    expect(sim.activeCount()).toBe(1);
  });
});

describe("fresher state wins (F2)", () => {
  const hbv = (
    now: number,
    role: HaState["role"],
    v: { theirs: number; mine: number; fencing?: boolean; term?: number },
  ): HaEvent => ({
    type: "heartbeat",
    now,
    from: "HACON2",
    role,
    term: v.term ?? 1,
    digest: "d",
    stateVersion: v.theirs,
    fencing: v.fencing ?? false,
    localStateVersion: v.mine,
  });
  const restarted = () => initialState({ self: "HACON1", peerName: "HACON2", preferred: true, now: 0 });

  it("a restarted node does not take the active role from a peer that is fencing it", () => {
    const [s, fx] = transition(restarted(), hbv(100, "standby", { theirs: 0, mine: 0, fencing: true }), T);
    expect(s.role).toBe("undecided");
    expect(kinds(fx)).toEqual([]);
    // Nor from an undecided peer that is fencing it (a lone non-preferred starter).
    expect(
      transition(restarted(), hbv(100, "undecided", { theirs: 0, mine: 0, fencing: true }), T)[0].role,
    ).toBe("undecided");
  });

  it("a restarted node does not take the active role from a standby whose state is ahead", () => {
    const [s] = transition(restarted(), hbv(100, "standby", { theirs: 32, mine: 0 }), T);
    expect(s.role).toBe("undecided");
    // Equal (or older) state: it claims, as before.
    expect(transition(restarted(), hbv(100, "standby", { theirs: 5, mine: 5 }), T)[0].role).toBe("active");
  });

  it("...but claims after the start wait when that standby is not fencing it (its fencing failed)", () => {
    const late = T.startWaitMs;
    expect(transition(restarted(), hbv(late - 1, "standby", { theirs: 32, mine: 0 }), T)[0].role).toBe(
      "undecided",
    );
    expect(transition(restarted(), hbv(late, "standby", { theirs: 32, mine: 0 }), T)[0].role).toBe("active");
  });

  it("a standby that hears its active restarted with an older state fences it, then takes over", () => {
    let s = initialState({ self: "HACON1", peerName: "HACON2", preferred: true, now: 0 });
    [s] = transition(s, hbv(10, "active", { theirs: 20, mine: 0, term: 3 }), T);
    expect(s.role).toBe("standby");
    let fx: { kind: string }[];
    [s, fx] = transition(s, hbv(300, "undecided", { theirs: 0, mine: 20, term: 3 }), T);
    expect(kinds(fx)).toEqual(["fencePeer"]);
    expect(s.role).toBe("standby");
    [s, fx] = transition(s, { type: "fenced", now: 400, ok: true, method: "bmc" }, T);
    expect(s.role).toBe("active");
    expect(kinds(fx)).toEqual(["becomeActive"]);
  });

  it("heartbeats without versions keep the old rules", () => {
    const [s] = transition(restarted(), hb(100, "standby"), T);
    expect(s.role).toBe("active");
    expect(s.peer?.fencing).toBe(false);
  });
});
