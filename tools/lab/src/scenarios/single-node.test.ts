// One haconnd on loopback against real peers: ipmi_sim through real ipmitool (with and without
// the NMI module), the PDU and ESXi simulators, simulated HA monitors and a dump notifier. The
// configuration is entered with the real haconnsetup. Issue 5's end-to-end scenarios.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { AttentionBody } from "@haconn/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dumpSimSendNotice } from "../dump-sim/index.js";
import { EsxiSim } from "../esxi-sim/index.js";
import { HamonSimMonitor } from "../hamon-sim/index.js";
import { IpmiSim } from "../ipmi-sim/index.js";
import { PduSim } from "../pdu-sim/index.js";
import {
  BUILT,
  cli,
  type DaemonProcess,
  freeUdpPort,
  type LabDirs,
  labDirs,
  removeDirs,
  startDaemon,
  freeTcpPort,
  waitFor,
} from "./harness.js";

const PW = "haconn-sim-pw1";
const COMMUNITY = "labcommunity1";

/** Epoch ms of the first reset-log line matching `re` (its `[YYYY/MM/DD HH:MM:SS:SSSSSS]`, local time). */
function logTimeMs(re: RegExp, log: string): number {
  const stamp = re.exec(log)?.[1];
  const m = stamp && /^(\d{4})\/(\d\d)\/(\d\d) (\d\d):(\d\d):(\d\d):(\d{3})\d{3}$/.exec(stamp);
  if (!m) throw new Error(`no reset-log line matching ${re}`);
  const [y, mo, d, h, mi, sec, ms] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return new Date(y, mo - 1, d, h, mi, sec, ms).getTime();
}

describe.skipIf(!BUILT)("single haconnd on loopback, end to end", () => {
  let dirs: LabDirs;
  let daemon: DaemonProcess;
  const bmc: Record<string, IpmiSim> = {};
  let pdu: PduSim;
  let esxi: EsxiSim;
  const mon: Record<string, HamonSimMonitor> = {};
  let resetPort: number;
  let metricsPort: number;
  const attentions: Record<string, AttentionBody[]> = {};

  beforeAll(async () => {
    dirs = labDirs("e2e1");
    const [b1, b2, b3, b4, b5, b6, b7] = await Promise.all([
      IpmiSim.start({ nmi: true }),
      IpmiSim.start({ nmi: true }),
      IpmiSim.start({ nmi: true }),
      IpmiSim.start({ nmi: true }),
      IpmiSim.start({ nmi: true }),
      IpmiSim.start({ nmi: true }),
      IpmiSim.start({}),
    ]);
    Object.assign(bmc, {
      PSERVER1: b1,
      PSERVER2: b2,
      PSERVER3: b3,
      PSERVER4: b4,
      PSERVER5: b5,
      PSERVER6: b6,
      PSERVER7: b7,
    });
    pdu = await PduSim.start({ community: COMMUNITY });
    esxi = await EsxiSim.start({ guests: [{ name: "VM1" }, { name: "VM2" }], password: "esxi-pw-1" });
    resetPort = await freeUdpPort();

    cli(dirs, "haconnsetup", ["resetpath", "addr=127.0.0.1/8", `port=${resetPort}`]);
    for (const [name, sim] of Object.entries(bmc)) {
      const extra =
        name === "PSERVER1" || name === "PSERVER2"
          ? ["cluster=on"]
          : name === "PSERVER3"
            ? ["ipdusd=on", "timeout=5", "recoverytime=5"]
            : [];
      cli(
        dirs,
        "haconnsetup",
        ["pserver", "add", name, `addr=127.0.0.1:${sim.port}`, "account=admin", "cipher=3", ...extra],
        PW,
      );
    }
    cli(
      dirs,
      "haconnsetup",
      ["vserver", "PSERVER4", `addr=127.0.0.1`, `port=${esxi.port}`, "account=root", "VMware=Enable"],
      "esxi-pw-1",
    );
    cli(dirs, "haconnsetup", ["snmp"], COMMUNITY);
    cli(dirs, "haconnsetup", ["ipdu", "add", `127.0.0.1:${pdu.port}`, "model=IBM_PDU"]);
    cli(dirs, "haconnsetup", ["pserver", "ipduadd", "PSERVER3", `addr=127.0.0.1:${pdu.port}`, "concent=1"]);
    cli(dirs, "haconnsetup", ["pserver", "ipduadd", "PSERVER3", `addr=127.0.0.1:${pdu.port}`, "concent=2"]);
    cli(dirs, "haconnsetup", ["hispeed", "resettime=1000"]);

    metricsPort = await freeTcpPort();
    daemon = await startDaemon(dirs, { HACONN_METRICS: `127.0.0.1:${metricsPort}` });
    const connector = { address: "127.0.0.1", port: resetPort };
    const clusterPort = await freeUdpPort("127.0.0.21");
    const spec: [string, number, string, number | undefined, string | undefined][] = [
      ["PSERVER1", 10001, "127.0.0.21", 10002, undefined],
      ["PSERVER2", 10002, "127.0.0.22", 10001, undefined],
      ["PSERVER3", 10003, "127.0.0.23", undefined, undefined],
      ["PSERVER5", 10005, "127.0.0.25", undefined, undefined],
      ["PSERVER6", 10006, "127.0.0.26", undefined, undefined],
      ["PSERVER7", 10007, "127.0.0.27", undefined, undefined],
      ["PSERVER4", 10011, "127.0.0.31", undefined, "VM1"],
    ];
    for (const [system, sub, addr, pair, vm] of spec) {
      const m = await HamonSimMonitor.start({
        subsystem: sub,
        systemName: system,
        ...(vm ? { kind: "guest" as const, vmName: vm } : {}),
        ...(pair ? { pairSubsystem: pair } : {}),
        connector,
        checkIntervalMs: 0,
        bind: { address: addr, port: clusterPort },
      });
      attentions[sub] = [];
      m.onAttention((a) => attentions[sub]!.push(a));
      mon[sub] = m;
    }
    for (const m of Object.values(mon)) {
      const reply = await m.check();
      expect(reply, `CHECK reply for ${m.subsystem}`).toBeDefined();
      expect(reply!.blockers.unknownSystem).toBe(false);
      expect(reply!.role).toBe("active");
    }
  }, 120_000);

  afterAll(async () => {
    for (const m of Object.values(mon)) await m.stop();
    await daemon?.stop();
    await Promise.all(Object.values(bmc).map((b) => b.stop()));
    await pdu?.stop();
    await esxi?.stop();
    if (dirs) removeDirs(dirs);
  });

  const resetlog = () => readFileSync(join(dirs.log, "resetlog1"), "utf8");
  const actions = async (name: string) => (await bmc[name]!.actions()).map((a) => a.action);

  it("shows the registered monitors with haconnshow hamonitor", () => {
    const out = cli(dirs, "haconnshow", ["hamonitor", "--json"]);
    const view = JSON.parse(out) as { physical: { name: string; address: string; status: string }[] };
    expect(view.physical.find((r) => r.name === "PSERVER5")).toMatchObject({
      address: "10005",
      status: "normal",
    });
  });

  it("a failed physical server is reset with the DUMP notice in time: no hardware reset", async () => {
    const outcome = mon[10007]!.reset(
      { subsystem: 10005, systemName: "PSERVER5" },
      { resultTimeoutMs: 15_000 },
    );
    await waitFor("NMI on PSERVER5", async () => (await actions("PSERVER5")).includes("nmi") || undefined);
    const ack = await dumpSimSendNotice({
      connector: { address: "127.0.0.1", port: resetPort },
      subsystem: 10005,
      bind: { address: "127.0.0.25", port: 0 },
    });
    expect(ack.ack?.status).toBe("accepted");
    const r = await outcome;
    expect(r.result?.result).toBe("DUMP");
    await waitFor("ATTENTION DUMP", () => attentions[10007]!.find((a) => a.targetSubsystem === 10005));
    expect(attentions[10007]!.find((a) => a.targetSubsystem === 10005)?.state).toBe("DUMP");
    expect(await actions("PSERVER5")).not.toContain("reset");
    // Reset-log lines are written a loop turn or two after the datagrams (books after the
    // fan-out; the file's own write turn): wait for the last one, as the other cases do.
    await waitFor("ATTENTION DUMP RECV logged", () =>
      /ATTENTION PSERVER5 10005 RECV .* DUMP/.test(resetlog()) ? true : undefined,
    );
    const log = resetlog();
    expect(log).toMatch(/RM-RESET PSERVER5 10005 RECV 127\.0\.0\.27 \d+ 10007 P/);
    expect(log).toMatch(/SOFTRESET PSERVER5 10005 SEND/);
    expect(log).toMatch(/ATTENTION PSERVER5 10005 RECV .* DUMP/);
    expect(log).not.toMatch(/HARDRESET PSERVER5/);
  });

  it("without the DUMP notice, the hardware reset follows the hispeed time", async () => {
    const r = await mon[10007]!.reset(
      { subsystem: 10006, systemName: "PSERVER6" },
      { resultTimeoutMs: 15_000 },
    );
    expect(r.result?.result).toBe("DUMP");
    const acts = await bmc.PSERVER6!.actions();
    const nmi = acts.find((a) => a.action === "nmi");
    const reset = acts.find((a) => a.action === "reset");
    expect(nmi && reset).toBeTruthy();
    // The hispeed time (1000 ms) runs from the moment the daemon issued the NMI (its SOFTRESET
    // SEND line), not from when ipmi_sim carried it out (both go through the BMC's open
    // ipmitool session, but ipmi_sim stamps the reset from a forked script, late under load).
    // So the hardware reset at the BMC must not come before SEND + 1000 ms (5 ms for the two
    // clocks' millisecond truncation), and the gap seen at the BMC stays well under the 5 s maximum.
    const sendMs = logTimeMs(/^\[([^\]]+)\] SOFTRESET PSERVER6 10006 SEND/m, resetlog());
    expect(reset!.atMs - sendMs).toBeGreaterThanOrEqual(1000 - 5);
    const gap = reset!.atMs - nmi!.atMs;
    expect(gap).toBeGreaterThan(0);
    expect(gap).toBeLessThan(5000);
    await waitFor("ATTENTION REBOOT", () => attentions[10007]!.find((a) => a.targetSubsystem === 10006));
    expect(attentions[10007]!.find((a) => a.targetSubsystem === 10006)?.state).toBe("REBOOT");
    // Reset-log lines are written on the loop turn after the step's datagrams: wait, do not race.
    await waitFor("HARDRESET RECV logged", () =>
      /HARDRESET PSERVER6 10006 RECV/.test(resetlog()) ? true : undefined,
    );
  });

  it("with the BMC dead, the PDU outlets are cut and restored after the recovery time", async () => {
    bmc.PSERVER3!.freeze();
    try {
      const r = await mon[10007]!.reset(
        { subsystem: 10003, systemName: "PSERVER3" },
        { resultTimeoutMs: 40_000 },
      );
      expect(r.result?.result).toBe("DUMP");
      await waitFor(
        "outlets restored",
        () => (pdu.transitions().filter((t) => t.to === "on").length >= 2 ? true : undefined),
        20_000,
      );
      const t = pdu.transitions();
      expect(
        t
          .filter((x) => x.to === "off")
          .map((x) => x.outlet)
          .sort(),
      ).toEqual([1, 2]);
      const off = Math.max(...t.filter((x) => x.to === "off").map((x) => x.at));
      const on = Math.min(...t.filter((x) => x.to === "on").map((x) => x.at));
      expect(on - off).toBeGreaterThanOrEqual(4500);
      expect(resetlog()).toMatch(/IPDUSD PSERVER3 10003 SEND .* 1 OFF/);
      // The PDU records the outlet on when it gets the SET; the connector logs RECV once its
      // answer (and read-back) is in: wait for the line rather than race it.
      await waitFor("IPDUSD RECV ON logged", () =>
        /IPDUSD PSERVER3 10003 RECV .* 2 ON/.test(resetlog()) ? true : undefined,
      );
    } finally {
      bmc.PSERVER3!.thaw();
    }
  }, 60_000);

  it("a guest is reset through the ESXi simulator", async () => {
    const r = await mon[10007]!.reset(
      { subsystem: 10011, systemName: "PSERVER4" },
      { resultTimeoutMs: 20_000 },
    );
    expect(r.result?.result).toBe("DUMP");
    const acts = esxi.host.events.filter((e) => e.name === "VM1").map((e) => e.action);
    expect(acts).toEqual(["nmi", "reset"]);
    // The ssh work ran in the daemon's one ESXi worker thread, not on its main thread (issue 19).
    const pid = daemon.child.pid!;
    const threads = readdirSync(`/proc/${pid}/task`).map((t) =>
      readFileSync(`/proc/${pid}/task/${t}/comm`, "utf8").trim(),
    );
    expect(threads.filter((name) => name === "haconn-esxi")).toHaveLength(1);
    await waitFor("guest HARDRESET RECV logged", () =>
      /HARDRESET PSERVER4 10011 RECV .* V/.test(resetlog()) ? true : undefined,
    );
  }, 30_000);

  it("a mutual pair racing is reset once; the other request gets FAIL", async () => {
    const [a, b] = await Promise.all([
      mon[10001]!.reset({ subsystem: 10002, systemName: "PSERVER2" }, { resultTimeoutMs: 15_000 }),
      mon[10002]!.reset({ subsystem: 10001, systemName: "PSERVER1" }, { resultTimeoutMs: 15_000 }),
    ]);
    const results = [a.result?.result, b.result?.result].sort();
    expect(results).toEqual(["DUMP", "FAIL"]);
    const nmis = [...(await actions("PSERVER1")), ...(await actions("PSERVER2"))].filter((x) => x === "nmi");
    expect(nmis).toHaveLength(1);
  }, 30_000);

  it("a power-off is announced to the cluster", async () => {
    await bmc.PSERVER7!.setPower("off");
    await waitFor(
      "ATTENTION POFF",
      () => attentions[10001]!.find((a) => a.targetSubsystem === 10007 && a.state === "POFF"),
      20_000,
    );
    const r = await mon[10001]!.reset(
      { subsystem: 10007, systemName: "PSERVER7" },
      { resultTimeoutMs: 5000 },
    );
    expect(r.result?.result).toBe("POFF");
  }, 30_000);

  it("exposes Prometheus metrics of what happened", async () => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(text).toMatch(/haconn_reset_requests_total\{result="DUMP"\} [1-9]/);
    expect(text).toMatch(/haconn_reset_phase_seconds_count\{phase="nmi_to_hard_reset",category="P"\} [1-9]/);
    expect(text).toMatch(/haconn_pair_role\{role="active"\} 1/);
  });

  it("haconnshow status shows power and links", () => {
    const status = JSON.parse(cli(dirs, "haconnshow", ["status", "--json"])) as {
      servers: { name: string; power: string; bmc: string }[];
    };
    expect(status.servers.find((s) => s.name === "PSERVER7")).toMatchObject({ power: "poff", bmc: "OK" });
  });
});
