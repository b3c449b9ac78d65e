// Configuration between the nodes (issue 6): two real haconnd on loopback, each with its own
// configuration directory, set up with the real haconnsetup. haconnact reload in each category
// (add-only; a change refused while the system's HA monitor runs; PDU-only), the copy to the
// standby and its restart, haconnact copy, the configuration-mismatch warning, and a reload with
// no standby. Addresses: reset path 127.0.91.10, duplex LAN 127.0.91.1/2, HA monitor 127.0.91.21.

import { spawnSync } from "node:child_process";
import { cpSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
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
  REPO,
  removeDirs,
  startDaemon,
  waitFor,
} from "./harness.js";

const PW = "haconn-sim-pw1";
const RP = "127.0.91.10";
const NAMES = ["HACON1", "HACON2"] as const;

interface Status {
  link: string;
  mservers: { name: string; role: string }[];
  servers: { name: string }[];
}
interface Pserver {
  name: string;
  cluster: boolean;
  ipdusd: boolean;
  outlets: { pdu: string; outlet: number }[];
}

describe.skipIf(!BUILT)("pair reload and copy on loopback", () => {
  let base: LabDirs;
  const node: Record<string, { dirs: LabDirs; proc?: DaemonProcess }> = {};
  const sims: IpmiSim[] = [];
  let resetPort: number;
  let monitor: HamonSimMonitor;
  let active = "";
  let standby = "";

  /** A command from bin/ with its exit status (cli() throws on a non-zero exit). */
  const run = (name: string, command: string, args: string[]) => {
    const r = spawnSync(join(REPO, "bin", command), args, {
      env: node[name]!.dirs.env,
      input: "",
      encoding: "utf8",
      timeout: 60_000,
    });
    return { status: r.status, out: r.stdout, err: r.stderr };
  };
  const setup = (name: string, args: string[], password?: string) =>
    cli(node[name]!.dirs, "haconnsetup", args, password);
  const status = (name: string): Status =>
    JSON.parse(cli(node[name]!.dirs, "haconnshow", ["status", "--json"]));
  const tryStatus = (name: string) => {
    try {
      return status(name);
    } catch {
      return undefined;
    }
  };
  const file = (name: string) => JSON.parse(readFileSync(join(node[name]!.dirs.etc, "haconn.json"), "utf8"));
  const pserver = (name: string, system: string): Pserver | undefined =>
    file(name).pservers.find((p: Pserver) => p.name === system);
  const events = (name: string): { msg: string; level: number }[] =>
    readdirSync(node[name]!.dirs.log)
      .filter((f) => f.startsWith("eventlog"))
      .flatMap((f) => readFileSync(join(node[name]!.dirs.log, f), "utf8").split("\n"))
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l));
  const count = (name: string, re: RegExp) => events(name).filter((e) => re.test(e.msg)).length;
  const linkOk = async () =>
    waitFor(
      "both nodes synchronised (link OK)",
      () => {
        const a = tryStatus(active);
        const s = tryStatus(standby);
        const roles = [a, s].map((st, i) => st?.mservers.find((m) => m.name === [active, standby][i])?.role);
        return a?.link === "OK" && s?.link === "OK" && roles[0] === "active" && roles[1] === "standby";
      },
      30_000,
    );
  const start = (name: string) => startDaemon(node[name]!.dirs, { HACONN_NODE_NAME: name });

  beforeAll(async () => {
    base = labDirs("reload-base");
    const [ilo1, ilo2, bmc1] = await Promise.all([IpmiSim.start({}), IpmiSim.start({}), IpmiSim.start({})]);
    sims.push(ilo1!, ilo2!, bmc1!);
    resetPort = await freeUdpPort(RP);
    const mlanPort = await freeUdpPort("127.0.91.1");
    const c = (args: string[], pw?: string) => cli(base, "haconnsetup", args, pw);
    c(["resetpath", `addr=${RP}/8`, `port=${resetPort}`]);
    c(["mserver", "add", "HACON1", `addr=127.0.0.1:${ilo1!.port}`, "account=admin", "cipher=3"], PW);
    c(["mserver", "add", "HACON2", `addr=127.0.0.1:${ilo2!.port}`, "account=admin", "cipher=3"], PW);
    c(["mlan", "HACON1", "addr=127.0.91.1", `port=${mlanPort}`]);
    c(["mlan", "HACON2", "addr=127.0.91.2", `port=${mlanPort}`]);
    c(["pserver", "add", "PSERVER1", `addr=127.0.0.1:${bmc1!.port}`, "account=admin", "cipher=3"], PW);
    c(["snmp", "name=public"]);
    const key = generateAuthKey(1);
    writeFileSync(join(base.etc, "duplex.key"), formatKeyFile({ keys: [key], send: key }), { mode: 0o600 });
    for (const name of NAMES) {
      const d = labDirs(`reload-${name}`);
      cpSync(base.etc, d.etc, { recursive: true }); // each node its own directory, same files
      node[name] = { dirs: d };
    }
    const [p1, p2] = await Promise.all(NAMES.map(start));
    node.HACON1!.proc = p1;
    node.HACON2!.proc = p2;
    monitor = await HamonSimMonitor.start({
      subsystem: 10001,
      systemName: "PSERVER1",
      connector: { address: RP, port: resetPort },
      checkIntervalMs: 0,
      bind: { address: "127.0.91.21", port: 0 },
    });
  }, 60_000);

  afterAll(async () => {
    await monitor?.stop();
    for (const n of Object.values(node)) await n.proc?.stop();
    await Promise.all(sims.map((s) => s.stop()));
    for (const n of Object.values(node)) removeDirs(n.dirs);
    if (base) removeDirs(base);
  });

  it("settles to one active and one standby with the same configuration", async () => {
    await waitFor("roles", () => {
      const r = NAMES.map((n) => tryStatus(n)?.mservers.find((m) => m.name === n)?.role);
      if (r[0] === "active" && r[1] === "standby") [active, standby] = NAMES;
      else if (r[1] === "active" && r[0] === "standby") [standby, active] = NAMES;
      else return undefined;
      return true;
    });
    await linkOk();
    expect((await monitor.check())?.role).toBe("active");
    expect(count(active, /configuration differs/)).toBe(0);
  }, 40_000);

  it("haconnact copy and reload are refused on the standby (NOT_ACTIVE, exit 4)", () => {
    for (const op of ["copy", "reload"]) {
      const r = run(standby, "haconnact", [op]);
      expect(r.status).toBe(4);
    }
  });

  it("category 1: a pserver added on the active, reload completed, the standby copied and restarted", async () => {
    setup(active, ["pserver", "add", "PSERVER2", "addr=127.0.91.52", "account=admin", "cipher=3"], PW);
    const restartsBefore = count(standby, /connector restarted/);
    const r = run(active, "haconnact", ["reload"]);
    expect(r.err).toBe("");
    expect(r.status).toBe(0);
    expect(r.out).toContain("-- HA monitor connector reload : completed. --");
    expect(r.out).toMatch(/Physical Server\s+: 1 \/ 1\s+: Success/);
    expect(r.out).toMatch(/PSERVER2\s+: Add\s+: Success/);
    expect(r.out).toMatch(new RegExp(`${active}\\s+: Change`));
    expect(r.out).toMatch(new RegExp(`${standby}\\s+: Change`));
    expect(file(standby)).toEqual(file(active));
    await waitFor("the standby restarted", () => count(standby, /connector restarted/) > restartsBefore);
    await linkOk();
    for (const n of [active, standby]) expect(status(n).servers.map((s) => s.name)).toContain("PSERVER2");
    // The digests differed only for the moment of the copy: no warning.
    for (const n of [active, standby]) expect(count(n, /configuration differs/)).toBe(0);
  }, 60_000);

  it("category 3: a PDU-only change applies while PSERVER1's HA monitor runs", async () => {
    expect((await monitor.check())?.role).toBe("active");
    setup(active, ["ipdu", "add", "127.0.91.60", "model=IBM_PDU"]);
    setup(active, ["pserver", "mod", "PSERVER1", "ipdusd=on", "timeout=10", "recoverytime=0"]);
    setup(active, ["pserver", "ipduadd", "PSERVER1", "addr=127.0.91.60", "concent=3"]);
    const r = run(active, "haconnact", ["reload"]);
    expect(r.status).toBe(0);
    expect(r.out).toContain("completed.");
    expect(r.out).toMatch(/PSERVER1\s+: Change\s+: Success/);
    expect(r.out).toMatch(/127\.0\.91\.60\s+: Add\s+: Success/);
    expect(r.out).toMatch(/iPDU\s+: 1 \/ 1\s+: Success/);
    expect(pserver(standby, "PSERVER1")).toMatchObject({
      ipdusd: true,
      outlets: [{ pdu: "127.0.91.60", outlet: 3 }],
    });
    await linkOk();
    for (const n of [active, standby]) expect(count(n, /configuration differs/)).toBe(0);
  }, 60_000);

  it("category 2 is refused while PSERVER1's HA monitor runs; the rest applies; the standby keeps its file", async () => {
    expect((await monitor.check())?.role).toBe("active");
    setup(active, ["pserver", "mod", "PSERVER1", "cluster=on"]);
    setup(active, ["pserver", "add", "PSERVER3", "addr=127.0.91.53", "account=admin", "cipher=3"], PW);
    const before = JSON.stringify(file(standby));
    const r = run(active, "haconnact", ["reload"]);
    process.stdout.write(`haconnact reload (category 2 refused):\n${r.out}`);
    expect(r.status).toBe(2);
    expect(r.out).toContain("-- HA monitor connector reload : failed. --");
    expect(r.out).toMatch(/Physical Server\s+: 1 \/ 2\s+: Failed/);
    expect(r.out).toMatch(/PSERVER1\s+: Change\s+: Error/);
    expect(r.out).toMatch(/PSERVER3\s+: Add\s+: Success/);
    expect(r.out).toMatch(/HA monitor on PSERVER1 is running \(subsystem 10001/);
    expect(r.out).toMatch(/must be stopped first/);
    expect(r.out).toMatch(/not synchronised/);
    expect(r.out).toMatch(new RegExp(`${active}\\s+: Change`));
    expect(r.out).toMatch(new RegExp(`${standby}\\s+: No Change`));
    expect(JSON.stringify(file(standby))).toBe(before);
    expect(status(active).servers.map((s) => s.name)).toContain("PSERVER3");
    expect(status(standby).servers.map((s) => s.name)).not.toContain("PSERVER3");
    // The nodes now run different configurations: both warn in their event logs.
    await waitFor(
      "mismatch warnings",
      () => count(active, /configuration differs/) > 0 && count(standby, /configuration differs/) > 0,
    );
  }, 60_000);

  it("the operator undoes the refused change: reload completes and the warning clears", async () => {
    setup(active, ["pserver", "mod", "PSERVER1", "cluster=off"]);
    const r = run(active, "haconnact", ["reload"]);
    expect(r.status).toBe(0);
    expect(r.out).toContain("completed.");
    expect(file(standby)).toEqual(file(active));
    expect(pserver(standby, "PSERVER3")).toBeDefined();
    await waitFor(
      "configuration matches again",
      () => count(active, /configuration matches .* again/) > 0,
      20_000,
    );
    await linkOk();
  }, 60_000);

  it("haconnact copy after a change of the standby's file only: the warning appears, then clears", async () => {
    setup(standby, ["pserver", "add", "PSERVER4", "addr=127.0.91.54", "account=admin", "cipher=3"], PW);
    expect(pserver(standby, "PSERVER4")).toBeDefined();
    // The standby runs its changed file after a restart of its haconnd.
    await node[standby]!.proc!.stop();
    const warned = count(active, /configuration differs/);
    node[standby]!.proc = await start(standby);
    await waitFor(
      "mismatch warning on the active",
      () => count(active, /configuration differs/) > warned,
      30_000,
    );
    await linkOk();
    const matched = count(active, /configuration matches .* again/);
    const r = run(active, "haconnact", ["copy"]);
    expect(r.err).toBe("");
    expect(r.status).toBe(0);
    expect(r.out).toBe(`Configuration copied to ${standby}.\n`);
    expect(file(standby)).toEqual(file(active));
    expect(pserver(standby, "PSERVER4")).toBeUndefined();
    await waitFor(
      "configuration matches again",
      () => count(active, /configuration matches .* again/) > matched,
      20_000,
    );
    expect(status(standby).servers.map((s) => s.name)).not.toContain("PSERVER4");
    // No new warning once the digests are equal.
    const after = count(active, /configuration differs/);
    await new Promise((r) => setTimeout(r, 3000));
    expect(count(active, /configuration differs/)).toBe(after);
    await linkOk();
  }, 90_000);

  it("with no standby, reload applies locally and says the copy failed; haconnact copy says NO_STANDBY", async () => {
    await node[standby]!.proc!.stop();
    node[standby]!.proc = undefined;
    setup(active, ["pserver", "add", "PSERVER5", "addr=127.0.91.55", "account=admin", "cipher=3"], PW);
    const r = run(active, "haconnact", ["reload"]);
    expect(r.status).toBe(2);
    expect(r.out).toContain("failed.");
    expect(r.out).toMatch(/PSERVER5\s+: Add\s+: Success/);
    expect(r.out).toMatch(new RegExp(`${standby}\\s+: No Change`));
    expect(r.out).toMatch(/not copied to the standby connector .*not connected.*not synchronised/s);
    expect(status(active).servers.map((s) => s.name)).toContain("PSERVER5");
    expect(pserver(standby, "PSERVER5")).toBeUndefined();
    const c = run(active, "haconnact", ["copy"]);
    expect(c.status).not.toBe(0);
    expect(c.err).toMatch(/not connected/);
  }, 60_000);
});
