// Two haconnd nodes as a pair on loopback (issue 6): the reset path is 127.0.0.1:<port>, which
// only the active binds; the duplex LAN is 127.0.0.41/42; the management servers' iLOs are
// ipmi_sim. kill -9 of the active: the standby fences it through its iLO and answers CHECK.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatKeyFile, generateAuthKey } from "@haconn/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HamonSimMonitor } from "../hamon-sim/index.js";
import { IpmiSim } from "../ipmi-sim/index.js";
import {
  BUILT,
  cli,
  type DaemonProcess,
  freeUdpPort,
  type LabDirs,
  labDirs,
  removeDirs,
  startDaemon,
  waitFor,
} from "./harness.js";

const PW = "haconn-sim-pw1";

interface Status {
  link: string;
  mservers: { name: string; role: string; status: string }[];
}

describe.skipIf(!BUILT)("pair of haconnd nodes on loopback", () => {
  let dirs: LabDirs;
  const node: Record<string, { dirs: LabDirs; proc?: DaemonProcess }> = {};
  const ilo: Record<string, IpmiSim> = {};
  let pserverBmc: IpmiSim;
  let resetPort: number;
  let monitor: HamonSimMonitor;

  const status = (name: string): Status =>
    JSON.parse(cli(node[name]!.dirs, "haconnshow", ["status", "--json"]));
  const roleOf = (name: string) => {
    try {
      return status(name).mservers.find((m) => m.name === name)?.role;
    } catch {
      return undefined;
    }
  };

  beforeAll(async () => {
    dirs = labDirs("pair");
    [ilo.HACON1, ilo.HACON2, pserverBmc] = await Promise.all([
      IpmiSim.start({}),
      IpmiSim.start({}),
      IpmiSim.start({ nmi: true }),
    ]);
    resetPort = await freeUdpPort();
    const mlanPort = await freeUdpPort("127.0.0.41");
    cli(dirs, "haconnsetup", ["resetpath", "addr=127.0.0.1/8", `port=${resetPort}`]);
    for (const [name, addr] of [
      ["HACON1", "127.0.0.41"],
      ["HACON2", "127.0.0.42"],
    ] as const) {
      // mserver add checks that the iLO answers: here it does (ipmi_sim), so no check=off.
      cli(
        dirs,
        "haconnsetup",
        ["mserver", "add", name, `addr=127.0.0.1:${ilo[name]!.port}`, "account=admin", "cipher=3"],
        PW,
      );
      cli(dirs, "haconnsetup", ["mlan", name, `addr=${addr}`, `port=${mlanPort}`]);
    }
    cli(
      dirs,
      "haconnsetup",
      ["pserver", "add", "PSERVER1", `addr=127.0.0.1:${pserverBmc.port}`, "account=admin", "cipher=3"],
      PW,
    );
    const key = generateAuthKey(1);
    writeFileSync(join(dirs.etc, "duplex.key"), formatKeyFile({ keys: [key], send: key }), { mode: 0o600 });
    for (const name of ["HACON1", "HACON2"]) {
      const d = labDirs(`pair-${name}`);
      d.env.HACONN_ETC_DIR = dirs.etc;
      node[name] = { dirs: d };
    }
    const [p1, p2] = await Promise.all(
      ["HACON1", "HACON2"].map((name) => startDaemon(node[name]!.dirs, { HACONN_NODE_NAME: name })),
    );
    node.HACON1!.proc = p1;
    node.HACON2!.proc = p2;
    monitor = await HamonSimMonitor.start({
      subsystem: 10001,
      systemName: "PSERVER1",
      connector: { address: "127.0.0.1", port: resetPort },
      checkIntervalMs: 0,
      bind: { address: "127.0.0.21", port: 0 },
    });
  }, 60_000);

  afterAll(async () => {
    await monitor?.stop();
    for (const n of Object.values(node)) await n.proc?.stop();
    await Promise.all([...Object.values(ilo), pserverBmc].map((s) => s?.stop()));
    for (const n of Object.values(node)) removeDirs(n.dirs);
    if (dirs) removeDirs(dirs);
  });

  it("settles to one active and one standby with the link OK", async () => {
    await waitFor("roles", () => {
      const roles = [roleOf("HACON1"), roleOf("HACON2")].sort();
      return roles[0] === "active" && roles[1] === "standby" ? roles : undefined;
    });
    await waitFor(
      "link OK",
      () => (status("HACON1").link === "OK" && status("HACON2").link === "OK") || undefined,
    );
    const reply = await monitor.check();
    expect(reply?.role).toBe("active");
    expect(reply?.redundancy.standbyNotSynchronised).toBe(false);
  }, 30_000);

  it("the standby mirrors the registry", async () => {
    const standby = roleOf("HACON1") === "standby" ? "HACON1" : "HACON2";
    await waitFor("mirror", () => {
      const v = JSON.parse(cli(node[standby]!.dirs, "haconnshow", ["hamonitor", "--json"]));
      return v.physical.find(
        (r: { name: string; address: string }) => r.name === "PSERVER1" && r.address === "10001",
      );
    });
  }, 20_000);

  it("kill -9 of the active: the standby fences it through its iLO and answers CHECK", async () => {
    const active = roleOf("HACON1") === "active" ? "HACON1" : "HACON2";
    const standby = active === "HACON1" ? "HACON2" : "HACON1";
    const t0 = Date.now();
    node[active]!.proc!.child.kill("SIGKILL");
    await waitFor("takeover", () => (roleOf(standby) === "active" ? true : undefined), 15_000);
    const reply = await waitFor("CHECK answered by the new active", async () => {
      const r = await monitor.check(300);
      return r?.responder === standby ? r : undefined;
    });
    const took = Date.now() - t0;
    expect(reply.role).toBe("active");
    expect((await ilo[active]!.actions()).map((a) => a.action)).toContain("reset");
    expect(took).toBeLessThan(10_000);
    process.stdout.write(`takeover after kill -9: ${took} ms\n`);
  }, 30_000);
});
