// haconnshow against the real built haconnd on loopback (127.0.94.x), issue #20:
// - `haconnshow ipdu` lists the management server's outlets as `M` rows (the manual's
//   management-server PDU test procedure reads them), next to the managed servers' `P` rows;
// - `haconnshow ipdu addr=` of a PDU that is not registered is an error (exit 1), not empty tables;
// - the `VMware` column of a VMware=Enable server shows its ESXi's reachability before any guest
//   HA monitor registers (OK for a live ESXi simulator, NG for a port nobody listens on);
// - --json errors are JSON, and placeholders are null.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
  REPO,
  removeDirs,
  startDaemon,
} from "./harness.js";

const PW = "haconn-sim-pw1";
const COMMUNITY = "labcommunity3";
const RP_ADDR = "127.0.94.1";
const PDU_A = "127.0.94.11";

function run(dirs: LabDirs, command: string, args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      join(REPO, "bin", command),
      args,
      { env: dirs.env, encoding: "utf8", timeout: 60_000 },
      (e, stdout, stderr) =>
        resolve({ code: e ? (typeof e.code === "number" ? e.code : -1) : 0, stdout, stderr }),
    );
  });
}

describe.skipIf(!BUILT)("haconnshow status / ipdu against haconnd on loopback (issue #20)", () => {
  let dirs: LabDirs;
  let daemon: DaemonProcess;
  let ilo: IpmiSim;
  let bmcA: IpmiSim;
  let bmcB: IpmiSim;
  let pdu: PduSim;
  let esxi: EsxiSim;
  let bmcC: IpmiSim;
  let mon: HamonSimMonitor;

  beforeAll(async () => {
    dirs = labDirs("showcmd");
    [ilo, bmcA, bmcB, pdu, esxi] = await Promise.all([
      IpmiSim.start({}),
      IpmiSim.start({}),
      IpmiSim.start({}),
      PduSim.start({ community: COMMUNITY, address: PDU_A }),
      EsxiSim.start({ guests: [{ name: "VM1" }], password: "esxi-pw-1" }),
    ]);
    bmcC = await IpmiSim.start({}); // stock ipmi_sim: no NMI

    const resetPort = await freeUdpPort(RP_ADDR);
    cli(dirs, "haconnsetup", ["resetpath", `addr=${RP_ADDR}/8`, `port=${resetPort}`]);
    cli(
      dirs,
      "haconnsetup",
      ["mserver", "add", "HACON1", `addr=${ilo.addr}:${ilo.port}`, "account=admin", "cipher=3"],
      PW,
    );
    cli(
      dirs,
      "haconnsetup",
      ["pserver", "add", "VHOSTA", `addr=${bmcA.addr}:${bmcA.port}`, "account=admin", "cipher=3"],
      PW,
    );
    cli(
      dirs,
      "haconnsetup",
      ["pserver", "add", "VHOSTB", `addr=${bmcB.addr}:${bmcB.port}`, "account=admin", "cipher=3"],
      PW,
    );
    cli(
      dirs,
      "haconnsetup",
      ["vserver", "VHOSTA", "addr=127.0.0.1", `port=${esxi.port}`, "account=root", "VMware=Enable"],
      "esxi-pw-1",
    );
    // Nobody listens on TCP port 1 of 127.0.94.30: the ESXi of VHOSTB is unreachable.
    cli(
      dirs,
      "haconnsetup",
      ["vserver", "VHOSTB", "addr=127.0.94.30", "port=1", "account=root", "VMware=Enable"],
      "esxi-pw-1",
    );
    cli(dirs, "haconnsetup", ["snmp"], COMMUNITY);
    cli(dirs, "haconnsetup", ["ipdu", "add", pdu.target, "model=IBM_PDU"]);
    cli(dirs, "haconnsetup", ["mserver", "ipduadd", "HACON1", `addr=${pdu.target}`, "concent=5"]);
    cli(dirs, "haconnsetup", ["mserver", "ipduadd", "HACON1", `addr=${pdu.target}`, "concent=6"]);
    cli(dirs, "haconnsetup", ["pserver", "ipduadd", "VHOSTA", `addr=${pdu.target}`, "concent=1"]);
    cli(
      dirs,
      "haconnsetup",
      ["pserver", "add", "PHYSC", `addr=${bmcC.addr}:${bmcC.port}`, "account=admin", "cipher=3"],
      PW,
    );
    daemon = await startDaemon(dirs);
    mon = await HamonSimMonitor.start({
      subsystem: 30001,
      systemName: "PHYSC",
      connector: { address: RP_ADDR, port: resetPort },
      checkIntervalMs: 0,
      bind: { address: "127.0.94.21", port: 0 },
    });
    expect((await mon.check())?.blockers.unknownSystem).toBe(false);
  }, 120_000);

  afterAll(async () => {
    await mon?.stop();
    await daemon?.stop();
    await Promise.all([ilo?.stop(), bmcA?.stop(), bmcB?.stop(), bmcC?.stop(), pdu?.stop(), esxi?.stop()]);
    if (dirs) removeDirs(dirs);
  });

  it("lists the management server's outlets as M rows beside the P rows", async () => {
    const r = await run(dirs, "haconnshow", ["ipdu"]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toMatch(/^1\s+\S+\s+P\s+VHOSTA$/m);
    expect(r.stdout).toMatch(/^5\s+Enable\s+M\s+HACON1$/m);
    expect(r.stdout).toMatch(/^6\s+Enable\s+M\s+HACON1$/m);
    const json = JSON.parse((await run(dirs, "haconnshow", ["ipdu", "--json"])).stdout);
    const rows = json.status[0].outlets as { outlet: number; pm: string; server: string }[];
    expect(rows.map((o) => `${o.outlet}${o.pm}`)).toEqual(["1P", "5M", "6M"]);
  }, 60_000);

  it("refuses haconnshow ipdu addr= of a PDU that is not registered (exit 1), also with --json", async () => {
    const r = await run(dirs, "haconnshow", ["ipdu", "addr=127.0.94.99"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^haconnshow: no PDU 127\.0\.94\.99 is registered/);
    const j = await run(dirs, "haconnshow", ["ipdu", "addr=127.0.94.99", "--json"]);
    expect(j.code).toBe(1);
    expect(j.stderr).toBe("");
    expect(JSON.parse(j.stdout)).toEqual({
      error: { code: "UNKNOWN_PDU", message: expect.stringMatching(/no PDU/) },
    });
  }, 60_000);

  it("shows each VMware=Enable server's ESXi reachability before any guest registers", async () => {
    const r = await run(dirs, "haconnshow", ["status"]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout).toMatch(/VHOSTA\s+\S+\s+\S+\s+\S+\s+OK$/m);
    expect(r.stdout).toMatch(/VHOSTB\s+\S+\s+\S+\s+\S+\s+NG$/m);
    const json = JSON.parse((await run(dirs, "haconnshow", ["status", "--json"])).stdout);
    expect(json.servers.find((s: { name: string }) => s.name === "VHOSTA").vmware).toBe("OK");
    expect(JSON.stringify(json)).not.toMatch(/"-{2,4}"/);
  }, 60_000);

  it("answers an unknown server name with exit 1, as haconnsetup does", async () => {
    const show = await run(dirs, "haconnshow", ["hamonitor", "name=NOSUCH"]);
    const setup = await run(dirs, "haconnsetup", ["pserver", "del", "NOSUCH"]);
    expect(show.code).toBe(1);
    expect(setup.code).toBe(1);
    expect(show.stderr).toMatch(/NOSUCH/);
  }, 60_000);

  it("says why a software reset failed in words, not as a driver code", async () => {
    const r = await run(dirs, "haconnserver", ["reset", "PHYSC", "address=30001"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^haconnserver: .*does not support this/m);
    expect(r.stderr).not.toMatch(/DEVICE_[A-Z]+/);
  }, 120_000);
});
