import { afterEach, describe, expect, it } from "vitest";
import { MAX_RECENT_REQUESTS } from "./attention.js";
import { applyDelta, emptySharedState } from "./deltas.js";
import { recentIndexWork } from "./recent-index.js";
import { buildConfig, EngineHarness, SimulatedClock } from "./test/index.js";
import type { RecentRequest, SharedState } from "./types.js";

const entry = (key: string, at: number, result: RecentRequest["result"] = null): RecentRequest => ({
  key,
  target: "6001/10001",
  result,
  at,
});

function withRecent(...entries: RecentRequest[]): SharedState {
  return entries.reduce((s, e) => applyDelta(s, { op: "recent", entry: e }), emptySharedState());
}

const harnesses: EngineHarness[] = [];
afterEach(() => {
  for (const h of harnesses.splice(0)) h.stop();
});

describe("recent requests", () => {
  it("stay one per key in `at` order: an update moves the entry to the end, expiry takes the front", () => {
    const s = withRecent(entry("a", 1), entry("b", 2), entry("c", 3));
    const updated = applyDelta(s, { op: "recent", entry: entry("a", 4, "DUMP") });
    expect(updated.recent.list().map((e) => [e.key, e.at, e.result])).toEqual([
      ["b", 2, null],
      ["c", 3, null],
      ["a", 4, "DUMP"],
    ]);
    expect(s.recent.list().map((e) => e.key)).toEqual(["a", "b", "c"]); // the old state is untouched
    expect(
      applyDelta(updated, { op: "recentRemoved", key: "b" })
        .recent.list()
        .map((e) => e.key),
    ).toEqual(["c", "a"]);
    expect(
      applyDelta(updated, { op: "recentRemoved", key: "c" })
        .recent.list()
        .map((e) => e.key),
    ).toEqual(["b", "a"]);
    expect(applyDelta(updated, { op: "recentRemoved", key: "x" }).recent.size).toBe(3);
    expect(applyDelta(updated, { op: "recentRemoved", key: "b" }).version).toBe(updated.version + 1);
  });

  it("a retransmission inside the TTL gets the remembered result; the same request id after it is a new request", async () => {
    const h = new EngineHarness(buildConfig({ servers: [{ name: "PSERVER1" }, { name: "PSERVER2" }] }));
    harnesses.push(h);
    h.check(10001, "PSERVER1");
    h.check(10002, "PSERVER2");
    h.reset(10002, 10001, "PSERVER1", 9);
    await h.clock.advance(100);
    h.dump(10001);
    await h.clock.advance(1000);
    h.reset(10002, 10001, "PSERVER1", 9); // retransmission: the result again, no second NMI
    await h.clock.advance(1000);
    expect(h.controller("bmc:PSERVER1").count("nmi")).toBe(1);
    expect(h.sentOf("sendResult").map((r) => [r.result, r.resend])).toEqual([
      ["DUMP", false],
      ["DUMP", true],
    ]);
    expect(h.state.shared.recent.list().map((e) => e.key)).toEqual(["127.0.0.102/10002#9"]);
    // The TTL (120 s) passes; the server came back and registered again.
    await h.clock.advance(125_000);
    h.check(10001, "PSERVER1");
    h.check(10002, "PSERVER2");
    h.reset(10002, 10001, "PSERVER1", 10); // a new request prunes the expired entry
    await h.clock.advance(100);
    expect(h.state.shared.recent.list().map((e) => e.key)).toEqual(["127.0.0.102/10002#10"]);
    expect(h.controller("bmc:PSERVER1").count("nmi")).toBe(2);
  });
});

describe("one result per request", () => {
  it("a retransmission of a RESET answered ERROR (requester just reset) gets ERROR again, not a reset, once the requester is back (sim seed 25182)", async () => {
    const h = new EngineHarness(buildConfig({ servers: [{ name: "PSERVER1" }, { name: "PSERVER2" }] }));
    harnesses.push(h);
    h.check(10001, "PSERVER1");
    h.check(10002, "PSERVER2");
    h.reset(10002, 10001, "PSERVER1", 1);
    await h.clock.advance(100);
    h.dump(10001); // PSERVER1 is reset: its own RESETs get ERROR/5 until it is back
    h.reset(10001, 10002, "PSERVER2", 5);
    await h.clock.advance(6000);
    h.check(10001, "PSERVER1"); // back to normal (after the 5 s guard)
    expect(h.state.shared.monitors["6001/10001"]?.status).toBe("normal");
    h.reset(10001, 10002, "PSERVER2", 5); // its retransmission
    await h.clock.advance(3000);
    const to1 = h.sentOf("sendResult").filter((r) => r.to.addr === "127.0.0.101");
    expect(to1.map((r) => [r.result, r.detail, r.resend])).toEqual([
      ["ERROR", "requesterResetComplete", false],
      ["ERROR", "requesterResetComplete", true],
    ]);
    expect(h.controller("bmc:PSERVER2").count("nmi")).toBe(0);
  });
});

describe("recent requests under a flood (H2)", () => {
  it("an unknown requester leaves no replicated state; what is remembered stays bounded", () => {
    const h = new EngineHarness(buildConfig({ servers: [{ name: "PSERVER1" }, { name: "PSERVER2" }] }));
    harnesses.push(h);
    h.check(10001, "PSERVER1");
    h.check(10002, "PSERVER2");
    const version = h.state.shared.version;
    // 3000 RESETs from an unknown requester: nothing remembered, no delta at all.
    for (let i = 0; i < 3000; i++) h.reset(10099, 10001, "PSERVER1", i, { addr: "127.0.0.199" });
    expect(h.state.shared.recent.size).toBe(0);
    expect(h.state.shared.version).toBe(version);
    // 3000 with an unknown target from a registered one (its address spoofed, without a key):
    // each ERROR is remembered (one result per request), within the bound.
    for (let i = 0; i < 3000; i++) h.reset(10002, 10077, "PSERVER1", i);
    expect(h.state.shared.recent.size).toBe(MAX_RECENT_REQUESTS);
    expect(h.sentOf("sendResult").every((r) => r.stateless === true)).toBe(true);
    // Remembered answers (here: DUMP, the target already reset) stop at the bound.
    h.reset(10002, 10001, "PSERVER1", 9999);
    h.dump(10001); // in the soft phase, from the target's address
    expect(h.state.shared.monitors["6001/10001"]?.status).toBe("dump");
    for (let i = 0; i < MAX_RECENT_REQUESTS + 500; i++) h.reset(10002, 10001, "PSERVER1", 10_000 + i);
    expect(h.state.shared.recent.size).toBe(MAX_RECENT_REQUESTS);
    expect(h.controller("bmc:PSERVER1").count("nmi")).toBe(1);
    // Each remembered request costs the same with the index full as with it nearly empty.
    const perRequest = (from: number) => {
      const before = recentIndexWork.copied;
      for (let i = 0; i < 100; i++) h.reset(10002, 10001, "PSERVER1", from + i);
      return (recentIndexWork.copied - before) / 100;
    };
    const full = perRequest(20_000);
    h.stop();
    const fresh = new EngineHarness(buildConfig({ servers: [{ name: "PSERVER1" }, { name: "PSERVER2" }] }));
    harnesses.push(fresh);
    fresh.check(10001, "PSERVER1");
    fresh.check(10002, "PSERVER2");
    fresh.reset(10002, 10001, "PSERVER1", 9999);
    fresh.dump(10001);
    const before = recentIndexWork.copied;
    for (let i = 0; i < 100; i++) fresh.reset(10002, 10001, "PSERVER1", 20_000 + i);
    const nearlyEmpty = (recentIndexWork.copied - before) / 100;
    expect(full).toBeLessThanOrEqual(nearlyEmpty * 3);
  });
});

describe("RESET dedupe across a takeover (M2)", () => {
  it("the standby's copy of the state deduplicates a retransmission, from another source port too", async () => {
    const config = buildConfig({ servers: [{ name: "PSERVER1" }, { name: "PSERVER2" }] });
    const old = new EngineHarness(config);
    harnesses.push(old);
    old.check(10001, "PSERVER1");
    old.check(10002, "PSERVER2");
    old.reset(10002, 10001, "PSERVER1", 41);
    expect(old.controller("bmc:PSERVER1").count("nmi")).toBe(1);
    // The standby holds what the deltas carried (as JSON over the duplex link), then takes over.
    const shared = JSON.parse(JSON.stringify(old.state.shared));
    const next = new EngineHarness(config, { shared, clock: new SimulatedClock(old.clock.now() + 100) });
    harnesses.push(next);
    next.dispatch({ type: "start" });
    next.reset(10002, 10001, "PSERVER1", 41, { port: 6123 });
    expect(next.sentOf("sendAccepted")).toMatchObject([{ requestId: 41 }]);
    expect(next.state.shared.jobs["6001/10001"]?.requesters).toHaveLength(1);
    // The key: source IP, requester subsystem, requestId (no port).
    expect(next.state.shared.recent.list().map((e) => e.key)).toEqual(["127.0.0.102/10002#41"]);
  });
});
