import { afterEach, describe, expect, it } from "vitest";
import { emptySharedState, replay, ReplayError } from "./deltas.js";
import { buildConfig, EngineHarness } from "./test/index.js";

const T0 = Date.UTC(2026, 3, 1, 0, 0, 0);
const harnesses: EngineHarness[] = [];
afterEach(() => {
  for (const h of harnesses.splice(0)) h.stop();
});

function pair(opts: ConstructorParameters<typeof EngineHarness>[1] = {}) {
  const config = buildConfig({
    servers: [
      { name: "PSERVER1", cluster: true },
      { name: "PSERVER2", cluster: true },
    ],
  });
  const h = new EngineHarness(config, opts);
  harnesses.push(h);
  h.check(10001, "PSERVER1", { pair: 10002 });
  h.check(10002, "PSERVER2", { pair: 10001 });
  return h;
}

describe("pair arbitration", () => {
  it("both members ask in the same millisecond: exactly one reset, the other request gets FAIL", async () => {
    const h = pair();
    h.reset(10001, 10002, "PSERVER2", 1);
    h.reset(10002, 10001, "PSERVER1", 1);
    await h.clock.advance(10_000);
    const nmis = ["PSERVER1", "PSERVER2"].map((s) => h.controller(`bmc:${s}`).count("nmi"));
    expect(nmis).toEqual([0, 1]);
    const results = h.sentOf("sendResult").map((r) => `${r.to.addr} ${r.result}`);
    expect(results.sort()).toEqual(["127.0.0.101 DUMP", "127.0.0.102 FAIL"]);
    // After the winner's reset completes, the loser (now dumped) is refused with ERROR.
    h.reset(10002, 10001, "PSERVER1", 2);
    await h.clock.flush();
    expect(h.sentOf("sendResult").at(-1)).toMatchObject({ result: "ERROR" });
  });

  it("the arrival order decides, deterministically", async () => {
    const h = pair();
    h.reset(10002, 10001, "PSERVER1", 1);
    h.reset(10001, 10002, "PSERVER2", 1);
    await h.clock.advance(10_000);
    expect(h.controller("bmc:PSERVER1").count("nmi")).toBe(1);
    expect(h.controller("bmc:PSERVER2").count("nmi")).toBe(0);
  });
});

describe("replication", () => {
  it("a snapshot plus the ordered deltas reproduces the state", async () => {
    const h = pair({ start: true });
    let snapshot = emptySharedState();
    h.reset(10001, 10002, "PSERVER2", 1);
    await h.clock.advance(100);
    snapshot = replay(snapshot, h.deltas);
    const cut = h.deltas.length;
    await h.clock.advance(10_000);
    h.check(10002, "PSERVER2");
    expect(replay(snapshot, h.deltas.slice(cut))).toEqual(h.state.shared);
    expect(replay(emptySharedState(), h.deltas)).toEqual(h.state.shared);
    // Deltas already in the snapshot are skipped; a gap is refused.
    expect(replay(snapshot, h.deltas)).toEqual(h.state.shared);
    expect(() => replay(snapshot, h.deltas.slice(cut + 1))).toThrow(ReplayError);
  });

  it("a new active resumes a job from its phase: no second NMI, hardware reset at the original deadline", async () => {
    const a = pair();
    a.reset(10001, 10002, "PSERVER2", 1);
    await a.clock.advance(2000);
    const mirrored = replay(emptySharedState(), a.deltas);
    a.stop();
    const b = new EngineHarness(
      buildConfig({
        servers: [
          { name: "PSERVER1", cluster: true },
          { name: "PSERVER2", cluster: true },
        ],
      }),
      {
        shared: mirrored,
        clock: a.clock,
        start: true,
      },
    );
    harnesses.push(b);
    await b.clock.advance(10_000);
    const bmc = b.controller("bmc:PSERVER2");
    expect(bmc.count("nmi")).toBe(0);
    expect(bmc.calls.filter((c) => c.op === "reset").map((c) => c.at - T0)).toEqual([5000]);
    expect(b.sentOf("sendResult")).toMatchObject([{ result: "DUMP", to: { addr: "127.0.0.101" } }]);
  });

  it("a new active re-issues a hardware reset that was in flight, keeping the window", async () => {
    const a = pair();
    a.controller("bmc:PSERVER2").fail.reset = "hang";
    a.reset(10001, 10002, "PSERVER2", 1);
    await a.clock.advance(6000);
    const mirrored = replay(emptySharedState(), a.deltas);
    a.stop();
    const config = buildConfig({
      servers: [
        { name: "PSERVER1", cluster: true },
        { name: "PSERVER2", cluster: true },
      ],
    });
    const b = new EngineHarness(config, { shared: mirrored, clock: a.clock, start: true });
    harnesses.push(b);
    await b.clock.flush();
    expect(b.controller("bmc:PSERVER2").count("reset")).toBe(1);
    expect(b.controller("bmc:PSERVER2").count("nmi")).toBe(0);
    expect(b.sentOf("sendResult")).toMatchObject([{ result: "DUMP" }]);
  });
});
