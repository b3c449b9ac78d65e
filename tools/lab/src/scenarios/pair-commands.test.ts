// The pair's operator commands with two real haconnd on loopback (issues 6 and 8): haconnact
// restart (clean hand-over, no fencing), the management-server PDU cut tests run and logged by
// the other node (haconnact/haconnsby ipdusd against the PDU simulator), and haconndump with
// the peer's logs fetched over the duplex link, or listed as missing when the peer is down.
// Addresses: 127.0.92.x (the iLO simulators on 127.0.0.1).

import { execFile, execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatKeyFile, generateAuthKey } from "@haconn/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
  waitFor,
} from "./harness.js";
import { pairRoles } from "./pair-roles.js";

const PW = "haconn-sim-pw1";
const COMMUNITY = "haconnLabRw92";
const NODES = ["HACON1", "HACON2"] as const;
type NodeName = (typeof NODES)[number];
const MLAN: Record<NodeName, string> = { HACON1: "127.0.92.11", HACON2: "127.0.92.12" };
// ipmi_sim on 127.0.0.1: IpmiSim's readiness wait only recognises a port bound on 127.0.0.1.
const ILO_ADDR: Record<NodeName, string> = { HACON1: "127.0.0.1", HACON2: "127.0.0.1" };
const OUTLET: Record<NodeName, number> = { HACON1: 3, HACON2: 4 };
const PDU_ADDR = "127.0.92.50";
const BUILT_ALL =
  BUILT &&
  ["haconnact.js", "haconnsby.js", "haconndump.js"].every((f) => {
    try {
      readFileSync(join(REPO, "apps/cli/dist", f));
      return true;
    } catch {
      return false;
    }
  });

/**
 * Runs a CLI command without blocking this process (the PDU simulator answers from it); never
 * throws: exit code, stdout and stderr.
 */
function tryCli(dirs: LabDirs, command: string, args: string[], timeout = 60_000) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(
      join(REPO, "bin", command),
      args,
      { env: dirs.env, encoding: "utf8", timeout },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end();
  });
}

/** Both nodes' event logs, for the message of a failed assertion. */
const eventLogs = (dirs: LabDirs[]) =>
  dirs
    .flatMap((d) =>
      readdirSync(d.log)
        .filter((n) => /^(eventlog|errlog)\d+$/.test(n))
        .map((n) => `--- ${d.log}/${n}\n${readFileSync(join(d.log, n), "utf8")}`),
    )
    .join("\n");

const ipdusdLines = (dirs: LabDirs) =>
  readdirSync(dirs.log)
    .filter((n) => /^resetlog\d+$/.test(n))
    .flatMap((n) => readFileSync(join(dirs.log, n), "utf8").split("\n"))
    .filter((l) => l.includes(" IPDUSD "))
    .map((l) => l.replace(/^\[[^\]]+\] /, ""));

describe.skipIf(!BUILT_ALL)("pair commands on loopback: restart, ipdusd, haconndump", () => {
  let shared: LabDirs;
  const node = {} as Record<NodeName, { dirs: LabDirs; proc?: DaemonProcess }>;
  const ilo = {} as Record<NodeName, IpmiSim>;
  let pdu: PduSim;

  const { roleOf, settled } = pairRoles((n) => node[n].dirs);
  const start = async (n: NodeName) => {
    node[n].proc = await startDaemon(node[n].dirs, { HACONN_NODE_NAME: n });
  };

  beforeAll(async () => {
    shared = labDirs("paircmd");
    [ilo.HACON1, ilo.HACON2] = await Promise.all([
      IpmiSim.start({ address: ILO_ADDR.HACON1 }),
      IpmiSim.start({ address: ILO_ADDR.HACON2 }),
    ]);
    pdu = await PduSim.start({ community: COMMUNITY, address: PDU_ADDR });
    const resetPort = await freeUdpPort("127.0.92.1");
    const mlanPort = await freeUdpPort(MLAN.HACON1);
    cli(shared, "haconnsetup", ["resetpath", "addr=127.0.92.1/8", `port=${resetPort}`]);
    cli(shared, "haconnsetup", ["snmp"], COMMUNITY);
    cli(shared, "haconnsetup", ["ipdu", "add", pdu.target, "model=IBM_PDU"]);
    for (const n of NODES) {
      cli(
        shared,
        "haconnsetup",
        ["mserver", "add", n, `addr=${ILO_ADDR[n]}:${ilo[n].port}`, "account=admin", "cipher=3"],
        PW,
      );
      cli(shared, "haconnsetup", ["mlan", n, `addr=${MLAN[n]}`, `port=${mlanPort}`]);
      cli(shared, "haconnsetup", ["mserver", "ipduadd", n, `addr=${pdu.target}`, `concent=${OUTLET[n]}`]);
    }
    const key = generateAuthKey(1);
    writeFileSync(join(shared.etc, "duplex.key"), formatKeyFile({ keys: [key], send: key }), { mode: 0o600 });
    for (const n of NODES) {
      const d = labDirs(`paircmd-${n}`);
      d.env.HACONN_ETC_DIR = shared.etc;
      node[n] = { dirs: d };
    }
    await Promise.all(NODES.map((n) => start(n)));
  }, 90_000);

  afterAll(async () => {
    for (const n of NODES) await node[n]?.proc?.stop();
    await Promise.all([...NODES.map((n) => ilo[n]?.stop()), pdu?.stop()]);
    for (const n of NODES) if (node[n]) removeDirs(node[n].dirs);
    if (shared) removeDirs(shared);
  });

  it("haconnact restart: the standby takes over without fencing; the old active returns as standby", async () => {
    const { active, standby } = await settled();
    const before = (await ilo[active].actions()).length;
    const term = (n: NodeName) => Number(readFileSync(join(node[n].dirs.root, "state", "pair-term"), "utf8")); // HACONN_STATE_DIR default;
    const oldTerm = term(active);
    expect(oldTerm).toBeGreaterThanOrEqual(1);
    const r = await tryCli(node[active].dirs, "haconnact", ["restart"]);
    expect(r.code, r.stderr).toBe(0);
    await waitFor("the standby is active", () => (roleOf(standby) === "active" ? true : undefined), 20_000);
    const after = await settled();
    expect(after).toEqual({ active: standby, standby: active });
    // A clean hand-over: nobody touched the old active's iLO (no reset, no power off).
    const actions = (await ilo[active].actions()).slice(before).map((a) => a.action);
    expect(
      actions.filter((a) => a === "reset" || a === "off" || a === "nmi"),
      eventLogs(NODES.map((n) => node[n].dirs)),
    ).toEqual([]);
    expect(node[active].proc!.child.exitCode).toBeNull();
    // The election term grew with the hand-over and is kept in the run directory of each node.
    expect(term(standby)).toBeGreaterThan(oldTerm);
    await waitFor("the old active records the new term", () => term(active) === term(standby) || undefined);
    expect(pdu.transitions()).toEqual([]);
  }, 90_000);

  it("haconnact ipdusd on the active: the standby cuts and restores the active's outlet and logs it", async () => {
    const { active, standby } = await settled();
    const t0 = Date.now();
    const r = await tryCli(node[active].dirs, "haconnact", ["ipdusd", "mode=same", "offtime=5"]);
    expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(4900);
    expect(pdu.transitions().map((t) => [t.outlet, t.to])).toEqual([
      [OUTLET[active], "off"],
      [OUTLET[active], "on"],
    ]);
    const addr = PDU_ADDR;
    expect(ipdusdLines(node[standby].dirs)).toEqual([
      `IPDUSD ${active} ---- SEND ---- ---- ---- ${addr} ${OUTLET[active]} OFF`,
      `IPDUSD ${active} ---- RECV ---- ---- ---- ${addr} ${OUTLET[active]} OFF`,
      `IPDUSD ${active} ---- SEND ---- ---- ---- ${addr} ${OUTLET[active]} ON`,
      `IPDUSD ${active} ---- RECV ---- ---- ---- ${addr} ${OUTLET[active]} ON`,
    ]);
    expect(ipdusdLines(node[active].dirs)).toEqual([]);
    expect(pdu.outletState(OUTLET[active])).toBe("on");
  }, 60_000);

  it("haconnact ipdusd on the standby: the standby does the work itself and logs it", async () => {
    const { active, standby } = await settled();
    const n = pdu.transitions().length;
    const logged = ipdusdLines(node[standby].dirs).length;
    const r = await tryCli(node[standby].dirs, "haconnact", ["ipdusd", "mode=same", "offtime=5"]);
    expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
    expect(r.stdout).toContain(`PDU test (same) of ${active}: 0 failure(s)`);
    expect(
      pdu
        .transitions()
        .slice(n)
        .map((t) => [t.outlet, t.to]),
    ).toEqual([
      [OUTLET[active], "off"],
      [OUTLET[active], "on"],
    ]);
    expect(ipdusdLines(node[standby].dirs).slice(logged)).toHaveLength(4);
    expect(ipdusdLines(node[active].dirs)).toEqual([]);
  }, 60_000);

  it("haconnsby ipdusd: refused on the standby; on the active it cuts the standby's outlet and logs there", async () => {
    const { active, standby } = await settled();
    const refused = await tryCli(node[standby].dirs, "haconnsby", ["ipdusd", "mode=same", "offtime=5"]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/active/);
    const n = pdu.transitions().length;
    const r = await tryCli(node[active].dirs, "haconnsby", ["ipdusd", "mode=same", "offtime=5"]);
    expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
    expect(
      pdu
        .transitions()
        .slice(n)
        .map((t) => [t.outlet, t.to]),
    ).toEqual([
      [OUTLET[standby], "off"],
      [OUTLET[standby], "on"],
    ]);
    expect(ipdusdLines(node[active].dirs)).toEqual([
      `IPDUSD ${standby} ---- SEND ---- ---- ---- ${PDU_ADDR} ${OUTLET[standby]} OFF`,
      `IPDUSD ${standby} ---- RECV ---- ---- ---- ${PDU_ADDR} ${OUTLET[standby]} OFF`,
      `IPDUSD ${standby} ---- SEND ---- ---- ---- ${PDU_ADDR} ${OUTLET[standby]} ON`,
      `IPDUSD ${standby} ---- RECV ---- ---- ---- ${PDU_ADDR} ${OUTLET[standby]} ON`,
    ]);
  }, 60_000);

  it("haconnsby restart re-reads haconn.json: the restarted standby runs the file as it is now (issue #20)", async () => {
    const { active, standby } = await settled();
    const events = (d: LabDirs) =>
      readdirSync(d.log)
        .filter((n) => /^eventlog\d+$/.test(n))
        .map((n) => readFileSync(join(d.log, n), "utf8"))
        .join("\n");
    const before = events(node[standby].dirs).split("restart: haconn.json re-read and running").length;
    // A change a running connector takes (reload category A), written to the file only.
    cli(
      shared,
      "haconnsetup",
      ["pserver", "add", "SBYNEW", "addr=127.0.92.60:9623", "account=admin", "cipher=3"],
      PW,
    );
    const r = await tryCli(node[active].dirs, "haconnsby", ["restart"]);
    expect(r.code, r.stderr).toBe(0);
    await waitFor(
      "the standby re-read haconn.json",
      () =>
        events(node[standby].dirs).split("restart: haconn.json re-read and running").length > before ||
        undefined,
      20_000,
    );
    expect(await settled()).toEqual({ active, standby });
    cli(shared, "haconnsetup", ["pserver", "del", "SBYNEW"]);
  }, 90_000);

  it("haconndump on the active holds the standby's logs under peer/<standby>/", async () => {
    const { active, standby } = await settled();
    const r = await tryCli(node[active].dirs, "haconndump", []);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain("peer/");
    const archive = /into (\S+\.tar\.gz)/.exec(r.stdout)?.[1];
    expect(archive).toBeDefined();
    const listing = execFileSync("tar", ["-tzf", archive!], { encoding: "utf8" }).split("\n");
    const peerFiles = listing.filter((l) => l.includes(`/peer/${standby}/`)).map((l) => l.split("/").pop());
    expect(peerFiles).toEqual(expect.arrayContaining(["eventlog1", "initlog1", "resetlog1"]));
    const out = mkdtempSync(join(tmpdir(), "haconn-paircmd-x-"));
    try {
      execFileSync("tar", ["-xzf", archive!, "-C", out]);
      const root = join(out, readdirSync(out)[0]!);
      // The standby wrote the IPDUSD lines of the active's PDU test: they are in its resetlog.
      const peerReset = readFileSync(join(root, "peer", standby, "resetlog1"), "utf8");
      expect(peerReset).toContain(`IPDUSD ${active} ---- SEND`);
      // No secret anywhere in the archive (grep exits 1 when nothing matches).
      const grep = spawnSync("grep", ["-rlF", "-e", PW, "-e", COMMUNITY, root], { encoding: "utf8" });
      expect(grep.stdout).toBe("");
      expect(grep.status).toBe(1);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);

  it("haconndump with the standby stopped still succeeds and lists the standby's logs as missing", async () => {
    const { active, standby } = await settled();
    await node[standby].proc!.stop();
    node[standby].proc = undefined;
    await new Promise((r) => setTimeout(r, 1100)); // a new archive name (one per second)
    const r = await tryCli(node[active].dirs, "haconndump", []);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`\\n {2}peer/${standby}/ \\(${standby} did not send its logs`));
    const archive = /into (\S+\.tar\.gz)/.exec(r.stdout)![1]!;
    const name = archive
      .split("/")
      .pop()!
      .replace(/\.tar\.gz$/, "");
    const missing = execFileSync("tar", ["-xzOf", archive, `${name}/MISSING.txt`], { encoding: "utf8" });
    expect(missing).toContain(`peer/${standby}/ (${standby} did not send its logs`);
    await start(standby);
    await settled();
  }, 60_000);
});
