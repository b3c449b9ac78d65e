// haconnserver against the real built haconnd on loopback (127.0.93.x): the software-reset test
// (`reset <name> address=`) through ipmi_sim with the NMI module, the PDU cut tests
// (`ipdusd mode=same|serial`) and `acrecovery` against two PDU simulators, and the refusals
// (unknown server, arguments out of range): exit status and nothing changed. Issue 5.

import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dumpSimSendNotice } from "../dump-sim/index.js";
import { HamonSimMonitor } from "../hamon-sim/index.js";
import { type IpmiSimAction, IpmiSim } from "../ipmi-sim/index.js";
import { PduSim, type PduSimTransition } from "../pdu-sim/index.js";
import {
  BUILT,
  cli,
  type DaemonProcess,
  freeUdpPort,
  type LabDirs,
  labDirs,
  REPO,
  removeDirs,
  startDaemon,
  waitFor,
} from "./harness.js";

const PW = "haconn-sim-pw1";
const COMMUNITY = "labcommunity2";
const RP_ADDR = "127.0.93.1";
const PDU_A = "127.0.93.11";
const PDU_B = "127.0.93.12";
const MON_ADDR = "127.0.93.21";
const SUB = 20001;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a CLI command without blocking the test's event loop (haconnserver waits for results). */
function run(dirs: LabDirs, command: string, args: string[], timeoutMs = 90_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      join(REPO, "bin", command),
      args,
      { env: dirs.env, encoding: "utf8", timeout: timeoutMs },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe.skipIf(!BUILT)("haconnserver reset / ipdusd / acrecovery against haconnd on loopback", () => {
  let dirs: LabDirs;
  let daemon: DaemonProcess;
  let bmcA: IpmiSim;
  let bmcB: IpmiSim;
  let bmcC: IpmiSim;
  let pduA: PduSim;
  let pduB: PduSim;
  let mon: HamonSimMonitor;
  let resetPort: number;

  beforeAll(async () => {
    dirs = labDirs("srvcmd");
    [bmcA, bmcB, bmcC, pduA, pduB] = await Promise.all([
      IpmiSim.start({ nmi: true }),
      IpmiSim.start({}),
      IpmiSim.start({}),
      PduSim.start({ community: COMMUNITY, address: PDU_A }),
      PduSim.start({ community: COMMUNITY, address: PDU_B }),
    ]);
    resetPort = await freeUdpPort(RP_ADDR);
    cli(dirs, "haconnsetup", ["resetpath", `addr=${RP_ADDR}/8`, `port=${resetPort}`]);
    // SERVERA: the software-reset test target (no PDU). SERVERB: fed by PDU A outlets 1, 2 and
    // PDU B outlet 3. SERVERC: no outlets at all.
    cli(
      dirs,
      "haconnsetup",
      ["pserver", "add", "SERVERA", `addr=${bmcA.addr}:${bmcA.port}`, "account=admin", "cipher=3"],
      PW,
    );
    cli(
      dirs,
      "haconnsetup",
      [
        "pserver",
        "add",
        "SERVERB",
        `addr=${bmcB.addr}:${bmcB.port}`,
        "account=admin",
        "cipher=3",
        "ipdusd=on",
        "timeout=5",
        "recoverytime=5",
      ],
      PW,
    );
    cli(
      dirs,
      "haconnsetup",
      ["pserver", "add", "SERVERC", `addr=${bmcC.addr}:${bmcC.port}`, "account=admin", "cipher=3"],
      PW,
    );
    cli(dirs, "haconnsetup", ["snmp"], COMMUNITY);
    for (const pdu of [pduA, pduB]) {
      cli(dirs, "haconnsetup", ["ipdu", "add", pdu.target, "model=IBM_PDU"]);
    }
    cli(dirs, "haconnsetup", ["pserver", "ipduadd", "SERVERB", `addr=${pduA.target}`, "concent=1"]);
    cli(dirs, "haconnsetup", ["pserver", "ipduadd", "SERVERB", `addr=${pduA.target}`, "concent=2"]);
    cli(dirs, "haconnsetup", ["pserver", "ipduadd", "SERVERB", `addr=${pduB.target}`, "concent=3"]);

    daemon = await startDaemon(dirs);
    mon = await HamonSimMonitor.start({
      subsystem: SUB,
      systemName: "SERVERA",
      connector: { address: RP_ADDR, port: resetPort },
      checkIntervalMs: 0,
      bind: { address: MON_ADDR, port: 0 },
    });
    const reply = await mon.check();
    expect(reply?.blockers.unknownSystem).toBe(false);
  }, 120_000);

  afterAll(async () => {
    await mon?.stop();
    await daemon?.stop();
    await Promise.all([bmcA?.stop(), bmcB?.stop(), bmcC?.stop(), pduA?.stop(), pduB?.stop()]);
    if (dirs) removeDirs(dirs);
  });

  const resetlog = () => readFileSync(join(dirs.log, "resetlog1"), "utf8");
  const lines = (re: RegExp) =>
    resetlog()
      .split("\n")
      .filter((l) => re.test(l));
  /** What a refused command must leave alone. */
  const snapshot = async () => ({
    log: resetlog(),
    a: pduA.transitions().length,
    b: pduB.transitions().length,
    bmcA: (await bmcA.actions()).length,
    bmcB: (await bmcB.actions()).length,
    bmcC: (await bmcC.actions()).length,
  });

  it("reset <name> address=<sub#>: NMI through ipmi_sim, DUMP notice, log lines with ---- for the HA monitor", async () => {
    const before = (await bmcA.actions()).length;
    const command = run(dirs, "haconnserver", ["reset", "SERVERA", `address=${SUB}`]);
    const nmi = await waitFor(
      "NMI on SERVERA",
      async () => (await bmcA.actions()).slice(before).find((a: IpmiSimAction) => a.action === "nmi"),
      20_000,
    );
    expect(nmi.action).toBe("nmi");
    const ack = await dumpSimSendNotice({
      connector: { address: RP_ADDR, port: resetPort },
      subsystem: SUB,
      bind: { address: MON_ADDR, port: 0 },
    });
    expect(ack.ack?.status).toBe("accepted");
    const r = await command;
    expect(r.code, r.stderr).toBe(0);
    // A software-reset test never escalates: no hardware reset.
    expect((await bmcA.actions()).slice(before).map((a) => a.action)).toEqual(["nmi"]);
    const soft = lines(/ SOFTRESET SERVERA /);
    expect(soft.some((l) => / SOFTRESET SERVERA 20001 SEND ---- ---- ---- P$/.test(l))).toBe(true);
    expect(lines(/ ATTENTION SERVERA 20001 RECV /).length).toBeGreaterThan(0);
    expect(lines(/ HARDRESET SERVERA /)).toEqual([]);
    // The system is shown as reset (dump) afterwards, as §8.6 step 4 says.
    const view = JSON.parse(cli(dirs, "haconnshow", ["hamonitor", "--json"])) as {
      physical: { name: string; status: string }[];
    };
    expect(view.physical.find((m) => m.name === "SERVERA")?.status).toBe("dump");
  }, 60_000);

  it("ipdusd mode=same: every outlet of the server cut together, restored after offtime", async () => {
    const a0 = pduA.transitions().length;
    const b0 = pduB.transitions().length;
    const t0 = Date.now();
    const r = await run(dirs, "haconnserver", ["ipdusd", "SERVERB", "mode=same", "offtime=5"]);
    expect(r.code, r.stderr).toBe(0);
    const t: PduSimTransition[] = [...pduA.transitions().slice(a0), ...pduB.transitions().slice(b0)];
    const off = t.filter((x) => x.to === "off");
    const on = t.filter((x) => x.to === "on");
    expect(off.map((x) => x.outlet).sort()).toEqual([1, 2, 3]);
    expect(on.map((x) => x.outlet).sort()).toEqual([1, 2, 3]);
    const lastOff = Math.max(...off.map((x) => x.at));
    const firstOff = Math.min(...off.map((x) => x.at));
    const firstOn = Math.min(...on.map((x) => x.at));
    expect(firstOff).toBeGreaterThanOrEqual(t0);
    expect(lastOff - firstOff).toBeLessThan(2000); // together, not one after another
    expect(firstOn - lastOff).toBeGreaterThanOrEqual(4500);
    expect(firstOn - lastOff).toBeLessThan(15_000);
    for (const [addr, outlet] of [
      [PDU_A, 1],
      [PDU_A, 2],
      [PDU_B, 3],
    ] as const) {
      for (const dir of ["SEND", "RECV"]) {
        for (const action of ["OFF", "ON"]) {
          const re = new RegExp(
            ` IPDUSD SERVERB ---- ${dir} ---- ---- ---- ${addr.replaceAll(".", "\\.")} ${outlet} ${action}$`,
          );
          expect(lines(re).length, `${addr} ${outlet} ${dir} ${action}`).toBeGreaterThan(0);
        }
      }
    }
    expect([1, 2].map((o) => pduA.outletState(o))).toEqual(["on", "on"]);
    expect(pduB.outletState(3)).toBe("on");
  }, 60_000);

  it("ipdusd mode=serial offtime= wtime=: one outlet at a time, in order, with the given waits", async () => {
    const a0 = pduA.transitions().length;
    const b0 = pduB.transitions().length;
    const log0 = resetlog().length;
    const r = await run(dirs, "haconnserver", [
      "ipdusd",
      "SERVERB",
      "mode=serial",
      `addr=${pduA.target}`,
      "offtime=5",
      "wtime=6",
    ]);
    expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
    const t = pduA.transitions().slice(a0);
    expect(t.map((x) => `${x.outlet}${x.to}`)).toEqual(["1off", "1on", "2off", "2on"]);
    const [off1, on1, off2, on2] = t.map((x) => x.at) as [number, number, number, number];
    expect(on1 - off1).toBeGreaterThanOrEqual(4500); // offtime
    expect(off2 - on1).toBeGreaterThanOrEqual(5500); // wtime
    expect(on2 - off2).toBeGreaterThanOrEqual(4500);
    expect(on2 - off1).toBeLessThan(40_000);
    // addr= limits the test to that PDU: PDU B's outlet is left alone.
    expect(pduB.transitions().slice(b0)).toEqual([]);
    const added = resetlog()
      .slice(log0)
      .split("\n")
      .filter((l) => / IPDUSD SERVERB ---- SEND /.test(l))
      .map((l) => l.split(" ").slice(-2).join(" "));
    expect(added).toEqual(["1 OFF", "1 ON", "2 OFF", "2 ON"]);
  }, 90_000);

  it("acrecovery: every outlet of the server powered on", async () => {
    pduA.setOutletState(2, "off"); // as after a PDU cut with recoverytime=0
    pduB.setOutletState(3, "off");
    const a0 = pduA.transitions().length;
    const b0 = pduB.transitions().length;
    const r = await run(dirs, "haconnserver", ["acrecovery", "SERVERB"]);
    expect(r.code, r.stderr).toBe(0);
    expect([1, 2].map((o) => pduA.outletState(o))).toEqual(["on", "on"]);
    expect(pduB.outletState(3)).toBe("on");
    const changed = [...pduA.transitions().slice(a0), ...pduB.transitions().slice(b0)];
    expect(changed.every((x) => x.to === "on")).toBe(true);
    expect(changed.map((x) => x.outlet).sort()).toEqual([2, 3]);
    expect(
      lines(new RegExp(` IPDUSD SERVERB ---- SEND ---- ---- ---- ${PDU_B.replaceAll(".", "\\.")} 3 ON$`))
        .length,
    ).toBeGreaterThan(1);
  }, 60_000);

  it("refusals: unknown server, arguments out of range, wrong combinations; nothing changes", async () => {
    const before = await snapshot();
    const cases: [string[], number][] = [
      // haconnd finds that the arguments name nothing it can act on: exit 1, the same status as
      // the CLI's own checks give the same cause (issue #20: one exit status per cause)
      [["reset", "NOSUCH", `address=${SUB}`], 1],
      [["ipdusd", "NOSUCH", "mode=same"], 1],
      [["acrecovery", "NOSUCH"], 1],
      [["reset", "SERVERB", "address=29999"], 1], // no HA monitor registered there
      [["acrecovery", "SERVERC"], 1], // no outlets
      [["ipdusd", "SERVERC", "mode=same"], 1],
      // the CLI refuses before sending anything (exit 1)
      [["reset", "SERVERA", "address=0"], 1],
      [["reset", "SERVERA", "address=4294967296"], 1],
      [["reset", "SERVERA"], 1],
      [["ipdusd", "SERVERB", "mode=same", "offtime=4"], 1],
      [["ipdusd", "SERVERB", "mode=same", "offtime=61"], 1],
      [["ipdusd", "SERVERB", "mode=serial", "wtime=4"], 1],
      [["ipdusd", "SERVERB", "mode=serial", "wtime=61"], 1],
      [["ipdusd", "SERVERB", "mode=same", "wtime=5"], 1],
      [["ipdusd", "SERVERB", `mode=same`, `addr=${pduA.target}`], 1],
      [["ipdusd", "SERVERB", "mode=parallel"], 1],
      [["ipdusd", "SERVERB"], 1],
      [["ipdusd", "bad name!", "mode=same"], 1],
    ];
    for (const [args, code] of cases) {
      const r = await run(dirs, "haconnserver", args, 30_000);
      expect(r.code, `haconnserver ${args.join(" ")}: ${r.stdout}${r.stderr}`).toBe(code);
      expect(r.stderr.trim().length, `haconnserver ${args.join(" ")} says why`).toBeGreaterThan(0);
    }
    // An addr= that feeds no outlet of the server is refused by haconnd (a bad argument: exit 1).
    const wrongPdu = await run(dirs, "haconnserver", [
      "ipdusd",
      "SERVERB",
      "mode=serial",
      "addr=127.0.93.99",
    ]);
    expect(wrongPdu.code, wrongPdu.stderr).toBe(1);
    const after = await snapshot();
    expect(after.a).toBe(before.a);
    expect(after.b).toBe(before.b);
    expect(after.bmcA).toBe(before.bmcA);
    expect(after.bmcB).toBe(before.bmcB);
    expect(after.bmcC).toBe(before.bmcC);
    expect(after.log.split("\n").filter((l) => /IPDUSD|SOFTRESET|HARDRESET/.test(l))).toEqual(
      before.log.split("\n").filter((l) => /IPDUSD|SOFTRESET|HARDRESET/.test(l)),
    );
  }, 120_000);
});
