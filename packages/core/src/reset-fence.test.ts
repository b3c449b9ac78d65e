// RESET with the FENCE flag (docs/protocol.md §4.3): row 7 ("already reset / known off") is
// skipped, so a target whose status says dump or poff is reset all the same; everything else
// (rows 1-6, attaching to a reset under way, deduplication of retransmissions) is unchanged.
import { afterEach, describe, expect, it } from "vitest";
import { buildConfig, EngineHarness } from "./test/index.js";

const T0 = Date.UTC(2026, 3, 1, 0, 0, 0);
const harnesses: EngineHarness[] = [];

function setup(hispeedMs = 2000) {
  const config = buildConfig({
    servers: [{ name: "PSERVER1" }, { name: "PSERVER2" }, { name: "PSERVER3" }],
    hispeedMs,
  });
  const h = new EngineHarness(config);
  harnesses.push(h);
  h.check(10001, "PSERVER1");
  h.check(10002, "PSERVER2");
  h.check(10003, "PSERVER3");
  return h;
}

/** PSERVER1 reset once (hardware reset at hispeed): status dump, inside the 5 s return-to-normal guard. */
async function resetOnce(h: EngineHarness): Promise<void> {
  h.reset(10002, 10001, "PSERVER1", 1);
  await h.clock.advance(2100);
  expect(h.sentOf("sendResult")).toMatchObject([{ requestId: 1, result: "DUMP" }]);
  expect(h.state.shared.monitors["6001/10001"]?.status).toBe("dump");
}

afterEach(() => {
  for (const h of harnesses.splice(0)) h.stop();
});

describe("FENCE RESET", () => {
  it("status dump: plain RESET answers DUMP at once (row 7), FENCE starts a reset (NMI, hardware reset)", async () => {
    const h = setup();
    await resetOnce(h);
    const bmc = h.controller("bmc:PSERVER1");
    expect(bmc.count("nmi")).toBe(1);
    expect(bmc.count("reset")).toBe(1);
    // The node rebooted and runs again, its monitor has not checked in: the status still says dump.
    h.reset(10002, 10001, "PSERVER1", 2);
    await h.clock.flush();
    expect(h.sentOf("sendResult").at(-1)).toMatchObject({ requestId: 2, result: "DUMP", resend: false });
    expect(bmc.count("nmi")).toBe(1);

    const t = h.clock.now();
    h.reset(10002, 10001, "PSERVER1", 3, { fence: true });
    await h.clock.flush();
    expect(bmc.count("nmi")).toBe(2);
    expect(h.sentOf("sendAccepted").at(-1)).toMatchObject({ requestId: 3 });
    expect(h.sentOf("sendResult").filter((r) => r.requestId === 3)).toEqual([]);
    await h.clock.advance(1999);
    expect(bmc.count("reset")).toBe(1);
    await h.clock.advance(10);
    expect(bmc.calls.filter((c) => c.op === "reset").map((c) => c.at)).toEqual([T0 + 2000, t + 2000]);
    expect(h.sentOf("sendResult").filter((r) => r.requestId === 3)).toMatchObject([
      { result: "DUMP", resend: false },
    ]);
    expect(h.sentOf("sendAttention").map((a) => a.state)).toEqual(["REBOOT", "REBOOT"]);
    expect(h.bareLines.filter((l) => l.startsWith("SOFTRESET PSERVER1 10001 SEND"))).toHaveLength(2);
  });

  it("a DUMP notice in the soft phase of a FENCE reset ends it as DUMP without a hardware reset", async () => {
    const h = setup();
    await resetOnce(h);
    h.reset(10002, 10001, "PSERVER1", 2, { fence: true });
    await h.clock.advance(900);
    // fence_kdump_send's next repeat (the dump still runs) reaches the new reset's soft phase.
    h.dump(10001);
    await h.clock.advance(10_000);
    const bmc = h.controller("bmc:PSERVER1");
    expect(bmc.count("nmi")).toBe(2);
    expect(bmc.count("reset")).toBe(1);
    expect(h.sentOf("sendResult").filter((r) => r.requestId === 2)).toMatchObject([{ result: "DUMP" }]);
    expect(h.sentOf("sendAttention").map((a) => a.state)).toEqual(["REBOOT", "DUMP"]);
  });

  it("status poff (and known off): plain RESET answers POFF, FENCE starts a reset", async () => {
    const h = setup();
    h.controller("bmc:PSERVER3").power = "off";
    h.dispatch({ type: "start" });
    await h.clock.flush();
    h.reset(10002, 10003, "PSERVER3", 1);
    await h.clock.flush();
    expect(h.sentOf("sendResult")).toMatchObject([{ requestId: 1, result: "POFF" }]);
    expect(h.state.shared.monitors["6001/10003"]?.status).toBe("poff");
    const bmc = h.controller("bmc:PSERVER3");
    expect(bmc.count("nmi")).toBe(0);

    h.reset(10002, 10003, "PSERVER3", 2, { fence: true });
    await h.clock.flush();
    expect(bmc.count("nmi")).toBe(1);
    expect(h.sentOf("sendAccepted")).toMatchObject([{ requestId: 2 }]);
    await h.clock.advance(2100);
    expect(bmc.count("reset")).toBe(1);
    expect(h.sentOf("sendResult").filter((r) => r.requestId === 2)).toMatchObject([{ result: "DUMP" }]);
  });

  it("fence: false is a plain RESET", async () => {
    const h = setup();
    await resetOnce(h);
    h.reset(10002, 10001, "PSERVER1", 2, { fence: false });
    await h.clock.flush();
    expect(h.sentOf("sendResult").at(-1)).toMatchObject({ requestId: 2, result: "DUMP" });
    expect(h.controller("bmc:PSERVER1").count("nmi")).toBe(1);
  });

  it("a reset under way: a FENCE request attaches to it (one NMI, one hardware reset, both answered)", async () => {
    const h = setup();
    h.reset(10002, 10001, "PSERVER1", 1);
    await h.clock.advance(300);
    h.reset(10003, 10001, "PSERVER1", 1, { fence: true });
    await h.clock.advance(300);
    h.reset(10002, 10001, "PSERVER1", 2, { fence: true });
    await h.clock.advance(3000);
    const bmc = h.controller("bmc:PSERVER1");
    expect(bmc.count("nmi")).toBe(1);
    expect(bmc.count("reset")).toBe(1);
    expect(h.sentOf("sendAccepted")).toHaveLength(3);
    expect(h.sentOf("sendResult").map((r) => `${r.to.addr}#${r.requestId} ${r.result}`)).toEqual([
      "127.0.0.102#1 DUMP",
      "127.0.0.103#1 DUMP",
      "127.0.0.102#2 DUMP",
    ]);
  });

  it("rows 1-5 unchanged: the requester being reset gets FAIL, an unknown target ERROR", async () => {
    const h = setup();
    h.reset(10002, 10001, "PSERVER1", 1);
    await h.clock.flush();
    h.reset(10001, 10002, "PSERVER2", 1, { fence: true });
    h.reset(10003, 10009, "PSERVER9", 1, { fence: true });
    h.reset(10003, 10003, "PSERVER3", 2, { fence: true });
    await h.clock.flush();
    expect(h.sentOf("sendResult").map((r) => `${r.requestId} ${r.result}/${r.detail}`)).toEqual([
      "1 FAIL/requesterBeingReset",
      "1 ERROR/unknownTarget",
      "2 ERROR/invalidRequester",
    ]);
    expect(h.controller("bmc:PSERVER2").count("nmi")).toBe(0);
  });

  it("retransmissions of a FENCE request: never a second reset, the same answer", async () => {
    const h = setup();
    await resetOnce(h);
    const bmc = h.controller("bmc:PSERVER1");
    h.reset(10002, 10001, "PSERVER1", 7, { fence: true });
    await h.clock.advance(500);
    h.reset(10002, 10001, "PSERVER1", 7, { fence: true });
    await h.clock.advance(500);
    expect(bmc.count("nmi")).toBe(2);
    expect(h.sentOf("sendAccepted").filter((a) => a.requestId === 7)).toHaveLength(2);
    await h.clock.advance(1100);
    expect(bmc.count("reset")).toBe(2);
    // The reset completed (status dump again): retransmissions get the same DUMP, no third reset,
    // also long after (the dedupe memory holds the answer for recentRequestTtlMs = 2 min).
    for (const wait of [100, 30_000, 60_000]) {
      await h.clock.advance(wait);
      h.reset(10002, 10001, "PSERVER1", 7, { fence: true });
      await h.clock.flush();
    }
    await h.clock.advance(10_000);
    expect(bmc.count("nmi")).toBe(2);
    expect(bmc.count("reset")).toBe(2);
    expect(
      h
        .sentOf("sendResult")
        .filter((r) => r.requestId === 7)
        .map((r) => [r.result, r.resend]),
    ).toEqual([
      ["DUMP", false],
      ["DUMP", true],
      ["DUMP", true],
      ["DUMP", true],
    ]);
  });

  it("the status returns to normal with a CHECK after the guard; then FENCE and plain RESET both reset", async () => {
    const h = setup();
    await resetOnce(h);
    await h.clock.advance(5000);
    h.check(10001, "PSERVER1");
    expect(h.state.shared.monitors["6001/10001"]?.status).toBe("normal");
    h.reset(10002, 10001, "PSERVER1", 2, { fence: true });
    await h.clock.advance(2100);
    expect(h.controller("bmc:PSERVER1").count("nmi")).toBe(2);
    expect(h.sentOf("sendResult").filter((r) => r.requestId === 2)).toMatchObject([{ result: "DUMP" }]);
  });

  it("a standby that takes over mid-reset continues the FENCE reset from the replicated state", async () => {
    const h = setup();
    await resetOnce(h);
    h.reset(10002, 10001, "PSERVER1", 4, { fence: true });
    await h.clock.advance(500);
    // The standby's state is the active's (replicated deltas); it starts stale and resumes the job.
    const standby = new EngineHarness(h.state.config, { clock: h.clock, shared: h.state.shared });
    harnesses.push(standby);
    h.stop();
    standby.dispatch({ type: "start", stale: true });
    // The requester retransmits: answered from the replicated request (accepted), not DUMP at once.
    standby.reset(10002, 10001, "PSERVER1", 4, { fence: true });
    await h.clock.flush();
    expect(standby.sentOf("sendAccepted")).toMatchObject([{ requestId: 4 }]);
    expect(standby.sentOf("sendResult")).toEqual([]);
    // The resumed soft-phase job waits the takeover grace (4 s) for a DUMP notice, then resets.
    await h.clock.advance(10_000);
    expect(standby.controller("bmc:PSERVER1").count("nmi")).toBe(0);
    expect(standby.controller("bmc:PSERVER1").count("reset")).toBe(1);
    expect(standby.sentOf("sendResult")).toMatchObject([{ requestId: 4, result: "DUMP" }]);
  });
});
