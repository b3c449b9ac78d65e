// A standby's corroborated loss (docs/pair.md "Detection"): the duplex stream closed AND a
// reconnect was refused, both after the last authenticated heartbeat, shorten the heartbeat
// budget by one heartbeat. Simulated time: every instant is given in the events.
import { describe, expect, it } from "vitest";
import {
  initialState,
  lossCorroborated,
  nextTickDelay,
  peerAlive,
  peerDeadline,
  transition,
} from "./election.js";
import { heartbeatEvent } from "./heartbeat-fixture.js";
import { DEFAULT_TIMING, type HaEffect, type HaEvent, type HaState, type HaTiming } from "./types.js";

const T: HaTiming = { ...DEFAULT_TIMING, freshnessMs: 0 }; // 200 ms × 3
const FULL = T.heartbeatMs * T.missCount; // 600
const SHORT = T.heartbeatMs * (T.missCount - 1); // 400
const HEARD = 10;

const hb = (now: number, role: HaState["role"] = "active", term = 3, from = "HACON1"): HaEvent =>
  heartbeatEvent(now, role, term, from);
const lost = (now: number): HaEvent => ({ type: "peerStreamLost", now });
const refused = (now: number): HaEvent => ({ type: "peerConnectRefused", now });
const kinds = (fx: HaEffect[]) => fx.map((f) => f.kind).filter((k) => k !== "log");
const lossLine = (fx: HaEffect[]) =>
  fx.find((f) => f.kind === "log" && f.message.includes("fencing it before taking over")) as
    | Extract<HaEffect, { kind: "log" }>
    | undefined;

/** A standby that heard its active at `HEARD`. */
const standby = (timing = T): HaState =>
  transition(
    initialState({ self: "HACON2", peerName: "HACON1", preferred: false, now: 0 }),
    hb(HEARD),
    timing,
  )[0];

function run(s: HaState, events: HaEvent[], timing = T): [HaState, HaEffect[]] {
  let fx: HaEffect[] = [];
  for (const e of events) {
    let more: HaEffect[];
    [s, more] = transition(s, e, timing);
    fx = [...fx, ...more];
  }
  return [s, fx];
}

describe("corroborated loss: stream closed and reconnect refused", () => {
  it("shortens the standby's deadline by one heartbeat, to the millisecond, and says which rule fired", () => {
    const [s, fx] = run(standby(), [lost(20), refused(21)]);
    expect(kinds(fx)).toEqual([]);
    expect(lossCorroborated(s, T)).toBe(true);
    expect(peerDeadline(s, T)).toBe(HEARD + SHORT + 1);
    expect(peerAlive(s, HEARD + SHORT, T)).toBe(true);
    expect(kinds(transition(s, { type: "tick", now: HEARD + SHORT }, T)[1])).toEqual([]);
    const [fencing, tfx] = transition(s, { type: "tick", now: HEARD + SHORT + 1 }, T);
    expect(kinds(tfx)).toEqual(["fencePeer"]);
    expect(fencing.fencing?.inFlight).toBe(true);
    const line = lossLine(tfx);
    expect(line?.message).toBe(
      "peer HACON1 lost (heartbeat timeout, stream closed and reconnect refused); fencing it before taking over",
    );
    expect(line?.fields).toEqual({ silentMs: SHORT + 1, budgetMs: SHORT });
  });

  it("the daemon's tick lands on the shortened deadline", () => {
    const [s] = run(standby(), [lost(20), refused(21)]);
    // 30 ms before the shortened deadline the regular 50 ms period would overshoot it.
    expect(nextTickDelay(s, HEARD + SHORT + 1 - 30, T, 50)).toBe(30);
    expect(nextTickDelay(standby(), HEARD + SHORT + 1 - 30, T, 50)).toBe(50);
  });

  it("the order of the two halves does not matter", () => {
    const [s] = run(standby(), [refused(20), lost(21)]);
    expect(peerDeadline(s, T)).toBe(HEARD + SHORT + 1);
  });

  it("either half alone changes nothing: the full budget, the plain reason", () => {
    for (const half of [lost(20), refused(20)]) {
      const [s, fx] = run(standby(), [half, half]);
      expect(kinds(fx)).toEqual([]);
      expect(lossCorroborated(s, T)).toBe(false);
      expect(peerDeadline(s, T)).toBe(HEARD + FULL + 1);
      expect(kinds(transition(s, { type: "tick", now: HEARD + FULL }, T)[1])).toEqual([]);
      const [, tfx] = transition(s, { type: "tick", now: HEARD + FULL + 1 }, T);
      expect(kinds(tfx)).toEqual(["fencePeer"]);
      expect(lossLine(tfx)?.message).toBe(
        "peer HACON1 lost (heartbeat timeout); fencing it before taking over",
      );
      expect(lossLine(tfx)?.fields).toEqual({ silentMs: FULL + 1, budgetMs: FULL });
    }
  });

  it("a refusal before the last heartbeat does not count; the close may come before it (the kill's FIN races the last heartbeat)", () => {
    // Both halves before a heartbeat (or at its very instant): the peer was alive after the refusal.
    const s0 = initialState({ self: "HACON2", peerName: "HACON1", preferred: false, now: 0 });
    const [s] = run(s0, [hb(HEARD), lost(100), refused(100), hb(100)]);
    expect(lossCorroborated(s, T)).toBe(false);
    expect(peerDeadline(s, T)).toBe(100 + FULL + 1);
    // The close handled just before the last heartbeat (sent before the kill), the refusal after
    // it: the stream is still lost and the port refuses now: corroborated, from that heartbeat.
    const [s2] = run(standby(), [lost(50), hb(60), refused(70)]);
    expect(lossCorroborated(s2, T)).toBe(true);
    expect(peerDeadline(s2, T)).toBe(60 + SHORT + 1);
  });

  it("a heartbeat after the refusal cancels it; a new stream ends the loss of the old one", () => {
    const [s] = run(standby(), [lost(20), refused(21), hb(200)]);
    expect(s.evidence).toEqual({ streamLostAt: 20, refusedAt: null });
    expect(peerDeadline(s, T)).toBe(200 + FULL + 1);
    expect(kinds(transition(s, { type: "tick", now: 200 + SHORT + 1 }, T)[1])).toEqual([]);
    // A refusal after that heartbeat counts again (the stream is still lost), from that heartbeat.
    const [again] = run(s, [refused(211)]);
    expect(peerDeadline(again, T)).toBe(200 + SHORT + 1);
    // Once a new stream is up, a refusal alone changes nothing.
    const [reopened] = run(s, [{ type: "peerStreamOpened", now: 205 }, refused(211)]);
    expect(reopened.evidence.streamLostAt).toBeNull();
    expect(peerDeadline(reopened, T)).toBe(200 + FULL + 1);
  });

  it("evidence completed after the shortened budget ran out fences at once", () => {
    const [, fx] = run(standby(), [lost(HEARD + SHORT - 5), refused(HEARD + SHORT + 20)]);
    expect(kinds(fx)).toEqual(["fencePeer"]);
    expect(lossLine(fx)?.fields).toEqual({ silentMs: SHORT + 20, budgetMs: SHORT });
  });

  it("missCount 1: no shortening", () => {
    const one: HaTiming = { ...T, missCount: 1 };
    const [s, fx] = run(standby(one), [lost(20), refused(21)], one);
    expect(kinds(fx)).toEqual([]);
    expect(lossCorroborated(s, one)).toBe(false);
    expect(peerDeadline(s, one)).toBe(HEARD + T.heartbeatMs + 1);
    expect(kinds(transition(s, { type: "tick", now: HEARD + T.heartbeatMs }, one)[1])).toEqual([]);
  });

  it("an active ignores it (it never fences its standby), and so does a stopping or undecided node", () => {
    const s0 = initialState({ self: "HACON1", peerName: "HACON2", preferred: true, now: 0 });
    const [active] = transition(s0, hb(HEARD, "standby", 0, "HACON2"), T);
    expect(active.role).toBe("active");
    const [a, fx] = run(active, [lost(20), refused(21), { type: "tick", now: HEARD + FULL + 500 }]);
    expect(fx).toEqual([]);
    expect(a.evidence).toEqual({ streamLostAt: null, refusedAt: null });
    expect(peerAlive(a, HEARD + SHORT + 1, T)).toBe(true);
    const undecided = initialState({ self: "HACON2", peerName: "HACON1", preferred: false, now: 0 });
    expect(run(undecided, [lost(20), refused(21)])[0].evidence.streamLostAt).toBeNull();
    const stopping = { ...standby(), stopping: true };
    expect(run(stopping, [lost(20), refused(21)])[0].evidence.streamLostAt).toBeNull();
  });

  it("a standby already fencing keeps its one fence", () => {
    const [s] = transition(standby(), { type: "tick", now: HEARD + FULL + 1 }, T);
    const [, fx] = run(s, [lost(HEARD + FULL + 2), refused(HEARD + FULL + 3)]);
    expect(kinds(fx)).toEqual([]);
  });
});
