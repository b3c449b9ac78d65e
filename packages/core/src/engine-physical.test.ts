import { afterEach, describe, expect, it } from "vitest";
import { buildConfig, EngineHarness } from "./test/index.js";

const T0 = Date.UTC(2026, 3, 1, 0, 0, 0);
const harnesses: EngineHarness[] = [];

function setup(hispeedMs: number | null = null, extra: Parameters<typeof buildConfig>[0]["servers"] = []) {
  const config = buildConfig({
    servers: [{ name: "PSERVER1" }, { name: "PSERVER2" }, ...extra],
    pdus: ["127.0.3.1", "127.0.3.2"],
    hispeedMs,
  });
  const h = new EngineHarness(config);
  harnesses.push(h);
  h.check(10001, "PSERVER1");
  h.check(10002, "PSERVER2");
  return h;
}

afterEach(() => {
  for (const h of harnesses.splice(0)) h.stop();
});

describe("physical reset, software path", () => {
  it("NMI, DUMP notice in time: ATTENTION DUMP then result DUMP, no hardware reset", async () => {
    const h = setup();
    h.reset(10002, 10001, "PSERVER1", 7);
    await h.clock.flush();
    const bmc = h.controller("bmc:PSERVER1");
    expect(bmc.count("nmi")).toBe(1);
    expect(h.sentOf("sendAccepted")).toHaveLength(1);
    await h.clock.advance(1200);
    h.dump(10001);
    await h.clock.advance(20_000);
    expect(bmc.count("reset")).toBe(0);
    expect(h.sentOf("sendAttention")).toMatchObject([
      { state: "DUMP", target: 10001, recipients: [{ addr: "127.0.0.102", port: 6001 }] },
    ]);
    expect(h.sentOf("sendResult")).toMatchObject([{ requestId: 7, result: "DUMP", resend: false }]);
    expect(h.bareLines).toEqual([
      "RM-RESET PSERVER1 10001 RECV 127.0.0.102 6001 10002 P ----",
      "SOFTRESET PSERVER1 10001 SEND 127.0.0.102 6001 10002 P",
      "SOFTRESET PSERVER1 10001 RECV 127.0.0.102 6001 10002 P",
      "ATTENTION PSERVER1 10001 RECV 127.0.0.101 7410 10001 P DUMP",
      "ATTENTION PSERVER1 10001 SEND 127.0.0.102 6001 ---- P DUMP",
      "RM-RESET PSERVER1 10001 SEND 127.0.0.102 6001 10002 P DUMP",
    ]);
    expect(h.lines[3]).toBe(
      "[2026/04/01 00:00:01:200000] ATTENTION PSERVER1 10001 RECV 127.0.0.101 7410 10001 P DUMP",
    );
    expect(h.state.shared.monitors["6001/10001"]?.status).toBe("dump");
    expect(h.state.shared.jobs).toEqual({});
  });

  it("no DUMP notice: hardware reset exactly at the hispeed time after the NMI, ATTENTION REBOOT", async () => {
    const h = setup(1500);
    h.reset(10002, 10001, "PSERVER1", 1);
    await h.clock.advance(1499);
    const bmc = h.controller("bmc:PSERVER1");
    expect(bmc.count("reset")).toBe(0);
    await h.clock.advance(1);
    expect(bmc.calls.filter((c) => c.op === "reset").map((c) => c.at - T0)).toEqual([1500]);
    await h.clock.advance(10);
    expect(h.sentOf("sendAttention")).toMatchObject([{ state: "REBOOT" }]);
    expect(h.sentOf("sendResult")).toMatchObject([{ result: "DUMP" }]);
    expect(h.bareLines.slice(3)).toEqual([
      "HARDRESET PSERVER1 10001 SEND 127.0.0.102 6001 10002 P",
      "HARDRESET PSERVER1 10001 RECV 127.0.0.102 6001 10002 P",
      "ATTENTION PSERVER1 10001 SEND 127.0.0.102 6001 ---- P REBOOT",
      "RM-RESET PSERVER1 10001 SEND 127.0.0.102 6001 10002 P DUMP",
    ]);
  });

  it("hispeed off behaves as 5000 ms", async () => {
    const h = setup(null);
    h.reset(10002, 10001, "PSERVER1");
    await h.clock.advance(6000);
    expect(h.controller("bmc:PSERVER1").calls.find((c) => c.op === "reset")?.at).toBe(T0 + 5000);
  });

  it("DUMP notice just after the deadline: ignored (hardware-reset phase), the job ends on the acknowledgement", async () => {
    const h = setup();
    const bmc = h.controller("bmc:PSERVER1");
    bmc.latencyMs.reset = 300;
    h.reset(10002, 10001, "PSERVER1", 3);
    await h.clock.advance(5001);
    expect(bmc.count("reset")).toBe(1);
    const version = h.state.shared.version;
    h.dump(10001);
    // Only the software-reset phase waits for a notice: nothing changes, nothing is sent.
    expect(h.state.shared.version).toBe(version);
    expect(h.sentOf("sendAttention")).toEqual([]);
    await h.clock.advance(30_000);
    expect(bmc.count("reset")).toBe(1);
    expect(h.sentOf("sendResult")).toMatchObject([{ result: "DUMP", requestId: 3 }]);
    expect(h.sentOf("sendAttention")).toMatchObject([{ state: "REBOOT" }]);
    expect(h.bareLines.some((l) => l.startsWith("ATTENTION PSERVER1 10001 RECV"))).toBe(false);
  });

  it("DUMP notice exactly at the deadline: processed before the timer it wins, after it the reset stands", async () => {
    const before = setup();
    before.reset(10002, 10001, "PSERVER1");
    before.clock.moveTo(T0 + 5000);
    before.dump(10001);
    await before.clock.advance(10_000);
    expect(before.controller("bmc:PSERVER1").count("reset")).toBe(0);
    expect(before.sentOf("sendResult")).toMatchObject([{ result: "DUMP" }]);

    const after = setup();
    after.reset(10002, 10001, "PSERVER1");
    await after.clock.advanceTo(T0 + 5000);
    after.dump(10001);
    await after.clock.advance(10_000);
    expect(after.controller("bmc:PSERVER1").count("reset")).toBe(1);
    expect(after.sentOf("sendResult")).toHaveLength(1);
    expect(after.sentOf("sendAttention")).toHaveLength(1);
  });

  it("DUMP notice handled after the deadline while the timer has not run yet (loop busy): the overdue timer goes first", async () => {
    const h = setup();
    h.reset(10002, 10001, "PSERVER1");
    // The clock passes the deadline without the timer's callback running, as when the event loop
    // is busy with ready I/O; the notice's datagram is then handled 3 ms late.
    h.clock.moveTo(T0 + 5003);
    h.dump(10001);
    const bmc = h.controller("bmc:PSERVER1");
    expect(bmc.count("reset")).toBe(1);
    expect(bmc.calls.find((c) => c.op === "reset")?.at).toBe(T0 + 5003);
    await h.clock.advance(10_000);
    expect(bmc.count("reset")).toBe(1);
    expect(h.sentOf("sendResult")).toHaveLength(1);
  });

  it("NMI not supported or failing: straight to the hardware reset", async () => {
    for (const script of [{ nmiSupported: false }, { fail: { nmi: "DEVICE_TIMEOUT" as const } }]) {
      const h = new EngineHarness(buildConfig({ servers: [{ name: "PSERVER1" }, { name: "PSERVER2" }] }), {
        controller: () => script,
      });
      harnesses.push(h);
      h.check(10001, "PSERVER1");
      h.check(10002, "PSERVER2");
      h.reset(10002, 10001, "PSERVER1");
      await h.clock.advance(1);
      const bmc = h.controller("bmc:PSERVER1");
      expect(bmc.calls.find((c) => c.op === "reset")?.at).toBe(T0);
      expect(h.sentOf("sendResult")).toMatchObject([{ result: "DUMP" }]);
      expect(h.bareLines).not.toContain("SOFTRESET PSERVER1 10001 RECV 127.0.0.102 6001 10002 P");
    }
  });

  it("retransmitted RESET during the job: one job, accepted again; after it, the same result again", async () => {
    const h = setup();
    h.reset(10002, 10001, "PSERVER1", 9);
    await h.clock.advance(100);
    h.reset(10002, 10001, "PSERVER1", 9);
    await h.clock.advance(100);
    expect(h.controller("bmc:PSERVER1").count("nmi")).toBe(1);
    expect(h.sentOf("sendAccepted")).toHaveLength(2);
    h.dump(10001);
    await h.clock.flush();
    h.reset(10002, 10001, "PSERVER1", 9);
    await h.clock.flush();
    expect(h.sentOf("sendResult").map((r) => [r.result, r.resend])).toEqual([
      ["DUMP", false],
      ["DUMP", true],
    ]);
    expect(h.bareLines.filter((l) => l.startsWith("RM-RESET"))).toHaveLength(2);
  });

  it("a second requester joins the running job and gets the same result", async () => {
    const h = setup(null, [{ name: "PSERVER3" }]);
    h.check(10003, "PSERVER3");
    h.reset(10002, 10001, "PSERVER1", 1);
    h.reset(10003, 10001, "PSERVER1", 1);
    await h.clock.advance(6000);
    expect(h.controller("bmc:PSERVER1").count("nmi")).toBe(1);
    expect(h.controller("bmc:PSERVER1").count("reset")).toBe(1);
    expect(h.sentOf("sendResult").map((r) => `${r.to.addr} ${r.result}`)).toEqual([
      "127.0.0.102 DUMP",
      "127.0.0.103 DUMP",
    ]);
  });

  it("hardware reset failing with ipdusd off: re-issued until the window ends, then FAIL", async () => {
    const h = setup();
    const bmc = h.controller("bmc:PSERVER1");
    bmc.fail.reset = "DEVICE_UNREACHABLE";
    h.reset(10002, 10001, "PSERVER1");
    await h.clock.advance(5000 + 10_000 + 1000);
    expect(bmc.count("reset")).toBe(10);
    expect(h.sentOf("sendAttention")).toHaveLength(0);
    expect(h.sentOf("sendResult")).toMatchObject([{ result: "FAIL" }]);
    expect(h.state.shared.monitors["6001/10001"]?.status).toBe("error");
    expect(h.state.shared.servers.PSERVER1?.bmc).toBe("NG");
  });

  it("a hung hardware reset with ipdusd off fails at the window's end, a late answer changes nothing", async () => {
    const h = setup();
    const bmc = h.controller("bmc:PSERVER1");
    bmc.fail.reset = "hang";
    h.reset(10002, 10001, "PSERVER1");
    await h.clock.advance(5000 + 10_000);
    expect(bmc.count("reset")).toBe(1);
    expect(h.sentOf("sendResult")).toMatchObject([{ result: "FAIL" }]);
  });
});

describe("iPDU forced reset", () => {
  function pduSetup(recoveryTimeSec: number) {
    const config = buildConfig({
      servers: [
        {
          name: "PSERVER1",
          ipdusd: true,
          timeoutSec: 5,
          recoveryTimeSec,
          outlets: [
            ["127.0.3.1", 1],
            ["127.0.3.2", 3],
          ],
        },
        { name: "PSERVER2" },
      ],
      pdus: ["127.0.3.1", "127.0.3.2"],
    });
    const h = new EngineHarness(config);
    harnesses.push(h);
    h.check(10001, "PSERVER1");
    h.check(10002, "PSERVER2");
    h.controller("bmc:PSERVER1").fail.reset = "hang";
    return h;
  }

  it("no acknowledgement within timeout: every outlet cut, ATTENTION REBOOT, restored after recoverytime", async () => {
    const h = pduSetup(10);
    h.reset(10002, 10001, "PSERVER1", 4);
    await h.clock.advance(5000 + 4999);
    expect(h.controller("outlet:127.0.3.1#1").count("off")).toBe(0);
    await h.clock.advance(1);
    expect(h.controller("outlet:127.0.3.1#1").count("off")).toBe(1);
    expect(h.controller("outlet:127.0.3.2#3").count("off")).toBe(1);
    expect(h.sentOf("sendAttention")).toMatchObject([{ state: "REBOOT" }]);
    expect(h.sentOf("sendResult")).toMatchObject([{ result: "DUMP", requestId: 4 }]);
    await h.clock.advance(9999);
    expect(h.controller("outlet:127.0.3.1#1").count("on")).toBe(0);
    await h.clock.advance(1);
    expect(h.controller("outlet:127.0.3.1#1").power).toBe("on");
    expect(h.controller("outlet:127.0.3.2#3").power).toBe("on");
    expect(h.bareLines.filter((l) => l.startsWith("IPDUSD"))).toEqual([
      "IPDUSD PSERVER1 10001 SEND 127.0.0.102 6001 10002 127.0.3.1 1 OFF",
      "IPDUSD PSERVER1 10001 SEND 127.0.0.102 6001 10002 127.0.3.2 3 OFF",
      "IPDUSD PSERVER1 10001 RECV 127.0.0.102 6001 10002 127.0.3.1 1 OFF",
      "IPDUSD PSERVER1 10001 RECV 127.0.0.102 6001 10002 127.0.3.2 3 OFF",
      "IPDUSD PSERVER1 10001 SEND 127.0.0.102 6001 10002 127.0.3.1 1 ON",
      "IPDUSD PSERVER1 10001 SEND 127.0.0.102 6001 10002 127.0.3.2 3 ON",
      "IPDUSD PSERVER1 10001 RECV 127.0.0.102 6001 10002 127.0.3.1 1 ON",
      "IPDUSD PSERVER1 10001 RECV 127.0.0.102 6001 10002 127.0.3.2 3 ON",
    ]);
    expect(h.state.shared.restores).toEqual({});
    expect(h.state.shared.outlets["127.0.3.1#1"]?.state).toBe("on");
  });

  it("recoverytime 0: power left off, ATTENTION POFF and result POFF", async () => {
    const h = pduSetup(0);
    h.reset(10002, 10001, "PSERVER1");
    await h.clock.advance(120_000);
    expect(h.sentOf("sendAttention")).toMatchObject([{ state: "POFF" }]);
    expect(h.sentOf("sendResult")).toMatchObject([{ result: "POFF" }]);
    expect(h.controller("outlet:127.0.3.1#1").count("on")).toBe(0);
    expect(h.state.shared.monitors["6001/10001"]?.status).toBe("poff");
  });

  it("PDU cut failure: FAIL, no ATTENTION, the outlet that was cut is still restored", async () => {
    const h = pduSetup(5);
    h.controller("outlet:127.0.3.2#3").fail.off = "DEVICE_UNREACHABLE";
    h.reset(10002, 10001, "PSERVER1");
    await h.clock.advance(5000 + 5000 + 5000 + 10);
    expect(h.sentOf("sendAttention")).toHaveLength(0);
    expect(h.sentOf("sendResult")).toMatchObject([{ result: "FAIL" }]);
    expect(h.controller("outlet:127.0.3.1#1").count("on")).toBe(1);
    expect(h.controller("outlet:127.0.3.2#3").count("on")).toBe(0);
    expect(h.state.shared.pdus["127.0.3.2"]).toBe("NG");
  });
});

describe("requests refused or answered at once", () => {
  it("clusterPort names the requester's and the target's registrations", async () => {
    const h = setup(null, [{ name: "PSERVER3" }]);
    h.check(10003, "PSERVER3", { port: 7001 }); // the same subsystem numbers in another cluster
    h.reset(10002, 10001, "PSERVER1", 1, { clusterPort: 7001 }); // 10002 is not in cluster 7001
    h.reset(10002, 10003, "PSERVER3", 2, { clusterPort: 6001 }); // 10003 is not in cluster 6001
    await h.clock.flush();
    expect(h.sentOf("sendResult").map((r) => `${r.requestId} ${r.result}/${r.detail}`)).toEqual([
      "1 ERROR/invalidRequester",
      "2 ERROR/unknownTarget",
    ]);
    h.reset(10002, 10001, "PSERVER1", 3, { clusterPort: 6001 });
    expect(h.sentOf("sendAccepted")).toMatchObject([{ requestId: 3 }]);
  });

  it("unknown requester ERROR, requester being reset FAIL, requester already reset ERROR", async () => {
    const h = setup(null, [{ name: "PSERVER3" }]);
    h.check(10003, "PSERVER3");
    h.reset(10099, 10001, "PSERVER1", 1, { addr: "127.0.0.199" });
    h.reset(10002, 10001, "PSERVER1", 2);
    h.reset(10001, 10003, "PSERVER3", 3);
    await h.clock.flush();
    h.dump(10001);
    await h.clock.flush();
    h.reset(10001, 10003, "PSERVER3", 4);
    h.reset(10002, 10002, "PSERVER2", 5);
    h.reset(10002, 10077, "PSERVER1", 6);
    await h.clock.flush();
    expect(h.sentOf("sendResult").map((r) => `${r.requestId} ${r.result}/${r.detail}`)).toEqual([
      "1 ERROR/invalidRequester",
      "3 FAIL/requesterBeingReset",
      "2 DUMP/none",
      "4 ERROR/requesterResetComplete",
      "5 ERROR/invalidRequester",
      "6 ERROR/unknownTarget",
    ]);
    // The unknown requester is answered once, statelessly: no reset-log line, nothing remembered.
    expect(h.sentOf("sendResult")[0]).toMatchObject({ stateless: true });
    expect(h.bareLines.some((l) => l.includes("127.0.0.199"))).toBe(false);
    expect(h.state.shared.recent.list().some((e) => e.key.startsWith("127.0.0.199/"))).toBe(false);
    expect(h.bareLines[0]).toBe("RM-RESET PSERVER1 10001 RECV 127.0.0.102 6001 10002 P ----");
  });

  it("a target already dumped answers DUMP at once; a target known off answers POFF without NMI", async () => {
    const h = setup(null, [{ name: "PSERVER3" }]);
    h.check(10003, "PSERVER3");
    h.controller("bmc:PSERVER3").power = "off";
    h.dispatch({ type: "start" });
    await h.clock.flush();
    h.reset(10002, 10003, "PSERVER3", 1);
    await h.clock.flush();
    expect(h.controller("bmc:PSERVER3").count("nmi")).toBe(0);
    expect(h.sentOf("sendResult")).toMatchObject([{ result: "POFF" }]);
    expect(h.sentOf("sendAccepted")).toHaveLength(0);
    expect(h.state.shared.monitors["6001/10003"]?.status).toBe("poff");
  });

  it("an unregistered physical target is reset by its system name", async () => {
    const h = setup(null, [{ name: "PSERVER3" }]);
    h.reset(10002, 10003, "PSERVER3", 1);
    await h.clock.advance(6000);
    expect(h.controller("bmc:PSERVER3").count("nmi")).toBe(1);
    expect(h.sentOf("sendResult")).toMatchObject([{ result: "DUMP" }]);
  });
});
