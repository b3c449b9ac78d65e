// Device faults against one real haconnd: the BMC process (ipmi_sim) killed in the middle of the
// hardware-reset call, with and without PDU control; the PDU agent stopped (link NG, the
// KAMN624-E situation in CHECK replies, the reset result).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordFault } from "../faults/report.js";
import { AnswerLog, distinctResults } from "../faults/requester.js";
import { checkLogs, resetLogOf } from "../faults/logcheck.js";
import { SingleNode } from "../faults/single-node.js";
import { HamonSimMonitor } from "../hamon-sim/index.js";
import { BUILT, cli, freeUdpPort, waitFor } from "./harness.js";

const SERVERS = ["PSERVER1", "PSERVER2", "PSERVER3", "PSERVER4", "PSERVER5"];

describe.skipIf(!BUILT)("fault: BMC process killed mid-call, PDU agent stopped", () => {
  let node: SingleNode;
  const mon: Record<string, HamonSimMonitor> = {};
  let log: AnswerLog;

  beforeAll(async () => {
    node = await SingleNode.start({
      prefix: "fdev",
      address: "127.0.98.1",
      pdu: true,
      hispeedMs: 1000,
      pservers: [
        { name: "PSERVER1", extra: ["ipdusd=on", "timeout=5", "recoverytime=5"], outlets: [1, 2] },
        { name: "PSERVER2" },
        { name: "PSERVER3" },
        { name: "PSERVER4", extra: ["ipdusd=on", "timeout=5", "recoverytime=5"], outlets: [3] },
        { name: "PSERVER5", extra: ["ipdusd=on", "timeout=5", "recoverytime=5"], outlets: [4] },
      ],
    });
    const clusterPort = await freeUdpPort("127.0.98.11");
    for (const [i, name] of SERVERS.entries()) {
      mon[name] = await HamonSimMonitor.start({
        subsystem: 10001 + i,
        systemName: name,
        connector: node.connector,
        checkIntervalMs: 1000,
        bind: { address: `127.0.98.${11 + i}`, port: clusterPort },
      });
    }
    await waitFor("registered", () => Object.values(mon).every((m) => m.lastCheckReply) || undefined);
    log = new AnswerLog(mon.PSERVER3!, node.connector);
  }, 90_000);

  afterAll(async () => {
    for (const m of Object.values(mon)) await m.stop();
    await node?.stop();
  });

  /** Freezes the BMC when the NMI lands, lets the hardware-reset call start, then kill -9. */
  async function killBmcMidCall(name: string): Promise<number> {
    const bmc = node.bmc[name]!;
    await waitFor("NMI", async () => (await node.actions(name)).includes("nmi") || undefined, 15_000);
    bmc.freeze();
    await new Promise((r) => setTimeout(r, 1600)); // hispeed 1000 ms: the HARDRESET call is in flight
    process.kill(-bmc.pid!, "SIGKILL");
    return Date.now();
  }

  it("BMC killed during the hardware reset, PDU control on: the outlets are cut and restored", async () => {
    const t0 = Date.now();
    const run = log.reset({ subsystem: 10001, systemName: "PSERVER1" }, { deadlineMs: 60_000 });
    const killedAt = await killBmcMidCall("PSERVER1");
    const result = await run.done;
    const answeredAt = run.record.results[0]?.at ?? Number.NaN;
    await waitFor(
      "outlets back on",
      () =>
        node.pdu!.transitions().filter((t) => t.to === "on" && t.outlet <= 2).length >= 2 ? true : undefined,
      30_000,
    );
    const t = node.pdu!.transitions().filter((x) => x.outlet <= 2);
    const lines = resetLogOf(node.dirs.log, "PSERVER1");
    const row = recordFault({
      fault: "BMC process (ipmi_sim) killed mid-call, ipdusd=on (timeout 5 s)",
      expected: "hardware reset fails, PDU outlets cut and restored after recoverytime; result DUMP; no hang",
      measured: `result ${result}; outlets ${t.map((x) => `${x.outlet}${x.to}`).join(" ")}`,
      figures: {
        "kill to result ms": Math.round(answeredAt - killedAt),
        "request to result ms": Math.round(answeredAt - t0),
      },
      checks: {
        "request answered once": result !== undefined && distinctResults(run.record).length === 1,
        "PDU fallback used": t.filter((x) => x.to === "off").length === 2,
        "outlets restored": t.filter((x) => x.to === "on").length === 2,
        "result within 30 s of the kill": answeredAt - killedAt < 30_000,
        "IPDUSD lines in the reset log": lines.some((l) => / IPDUSD /.test(l)),
      },
    });
    expect(result).toBe("DUMP");
    expect(row.checks).toEqual(Object.fromEntries(Object.keys(row.checks).map((k) => [k, true])));
  }, 90_000);

  it("BMC killed during the hardware reset, no PDU control: FAIL, no hang", async () => {
    const t0 = Date.now();
    const run = log.reset({ subsystem: 10002, systemName: "PSERVER2" }, { deadlineMs: 60_000 });
    const killedAt = await killBmcMidCall("PSERVER2");
    const result = await run.done;
    const answeredAt = run.record.results[0]?.at ?? Number.NaN;
    const row = recordFault({
      fault: "BMC process (ipmi_sim) killed mid-call, no PDU",
      expected: "hardware reset fails: result FAIL (reset failed); no hang",
      measured: `result ${result}`,
      figures: {
        "kill to result ms": Math.round(answeredAt - killedAt),
        "request to result ms": Math.round(answeredAt - t0),
      },
      checks: {
        "request answered once": result !== undefined && distinctResults(run.record).length === 1,
        "result FAIL": result === "FAIL",
        "result within 30 s of the kill": answeredAt - killedAt < 30_000,
      },
    });
    expect(row.checks).toEqual(Object.fromEntries(Object.keys(row.checks).map((k) => [k, true])));
  }, 90_000);

  it("PDU agent stopped: link NG, KAMN624-E in CHECK replies, resets as the manual says", async () => {
    const t0 = Date.now();
    await node.pdu!.stop();
    const reply = await waitFor(
      "pduLink blocker in CHECK-REPLY",
      () => (mon.PSERVER4!.lastCheckReply?.blockers.pduLink ? mon.PSERVER4!.lastCheckReply : undefined),
      60_000,
    );
    const detectMs = Date.now() - t0;
    const ipdu = JSON.parse(cli(node.dirs, "haconnshow", ["ipdu", "--json"])) as { pdus: { link: string }[] };
    const unaffected = mon.PSERVER2!.lastCheckReply?.blockers.pduLink;
    // BMC fine: the hardware reset does the job, the PDU is not needed.
    const a = log.reset({ subsystem: 10004, systemName: "PSERVER4" }, { deadlineMs: 60_000 });
    const ra = await a.done;
    // BMC hung too: neither can reset it.
    node.bmc.PSERVER5!.freeze();
    const b = log.reset({ subsystem: 10005, systemName: "PSERVER5" }, { deadlineMs: 90_000 });
    const rb = await b.done;
    node.bmc.PSERVER5!.thaw();
    const logs = checkLogs(node.dirs.log);
    const row = recordFault({
      fault: "PDU agent stopped",
      expected:
        "PDU link NG (haconnshow ipdu); CHECK-REPLY pduLink blocker (KAMN624-E) for servers on it; reset via BMC DUMP; BMC and PDU both dead: FAIL",
      measured: `ipdu link ${ipdu.pdus.map((p) => p.link).join(",")}; pduLink blocker ${reply.blockers.pduLink} (server without PDU: ${unaffected}); BMC ok → ${ra}; BMC hung → ${rb}`,
      figures: {
        "detection ms": detectMs,
        "BMC-hung result after ms": Math.round((b.record.results[0]?.at ?? Number.NaN) - b.record.sentAt),
      },
      checks: {
        "link NG shown": ipdu.pdus.every((p) => p.link === "NG"),
        "KAMN624-E blocker set": reply.blockers.pduLink === true,
        "server without PDU unaffected": unaffected === false,
        "BMC ok: DUMP": ra === "DUMP",
        "BMC and PDU dead: FAIL": rb === "FAIL",
        "answered once each": [a, b].every((r) => distinctResults(r.record).length === 1),
        "logs parsable": logs.bad.length === 0,
      },
    });
    expect(row.checks).toEqual(Object.fromEntries(Object.keys(row.checks).map((k) => [k, true])));
  }, 180_000);
});
