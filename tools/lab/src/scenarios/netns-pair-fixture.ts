// The pair as separate hosts in network namespaces (issue 6), shared by the pair-*-netns
// scenarios: two management-server namespaces joined by a direct duplex veth, a reset-path
// bridge with a namespace for the HA monitors, a management LAN with the BMCs (ipmi_sim) in
// their own namespace. Each scenario gives its own namespace prefix and address block, so the
// files run in parallel. Every address lives only inside these namespaces.

import { type ChildProcess, execFile, execFileSync, type StdioOptions, spawn } from "node:child_process";
import { chmodSync, cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatKeyFile, generateAuthKey } from "@haconn/protocol";
import { IpmiSim } from "../ipmi-sim/index.js";
import { NetnsLab } from "../netns/index.js";
import {
  cli,
  type DaemonProcess,
  type LabDirs,
  labDirs,
  labResetKeyFile,
  REPO,
  removeDirs,
  startDaemon,
} from "./harness.js";
import { jsonLines, SAMPLER_SCRIPT } from "./netns-pair-scripts.js";

export const PW = "haconn-sim-pw1";
export const RP_PORT = 30000;
export const NODES = ["HACON1", "HACON2"] as const;
export type NodeName = (typeof NODES)[number];
export const PROTOCOL_DIST = join(REPO, "packages/protocol/dist/index.js");
const CHECK_ONCE = join(REPO, "tools/lab/src/scenarios/check-once.mjs");

export interface PairNetnsOptions {
  /** Namespace (and veth) prefix, unique per test file. */
  prefix: string;
  /** First two octets of the lab's addresses, e.g. "10.77": reset path .1, management LAN .2, duplex .3. */
  net: string;
  /** labDirs label of the configuration written by the test. */
  label: string;
  /** labDirs label of a node's directories: `${nodeLabel}-${node}`. */
  nodeLabel: string;
  /** Managed servers, each with its own ipmi_sim on the BMC address (iLOs of the nodes: 9001, 9002). */
  pservers: { name: string; port: number; nmi?: boolean }[];
  /** haconnsetup commands right after `resetpath`. */
  before?: string[][];
  /** haconnsetup commands after the pservers. */
  after?: string[][];
  /** Each node gets its own copy of the configuration (default: both read the test's directory). */
  ownEtc?: boolean;
}

export interface Run {
  code: number;
  out: string;
  err: string;
}

export interface CheckReply {
  responder: string;
  role: string;
}

export class PairNetns {
  readonly lab: NetnsLab;
  readonly vip: string;
  readonly monAddr: string;
  readonly bmcAddr: string;
  readonly ns = {} as Record<NodeName | "sw" | "bmc" | "mon", string>;
  readonly ilo = {} as Record<NodeName, IpmiSim>;
  readonly pbmc: Record<string, IpmiSim> = {};
  readonly proc = {} as Record<NodeName, DaemonProcess | undefined>;
  readonly nodeDirs = {} as Record<NodeName, LabDirs>;
  base: LabDirs | undefined;
  private scriptDir: string | undefined;
  private sampler: NodeJS.Timeout | undefined;
  private readonly children: ChildProcess[] = [];

  constructor(private readonly o: PairNetnsOptions) {
    this.lab = new NetnsLab(o.prefix);
    this.vip = `${o.net}.1.100`;
    this.monAddr = `${o.net}.1.21`;
    this.bmcAddr = `${o.net}.2.10`;
  }

  /** Namespaces, links, BMCs, configuration and node directories; no haconnd yet. */
  async setUp(): Promise<void> {
    const { lab, ns, o } = this;
    NetnsLab.cleanupLeftovers(lab.prefix);
    for (const k of ["sw", "HACON1", "HACON2", "bmc", "mon"] as const) ns[k] = lab.add(k.toLowerCase());
    lab.bridge(ns.sw, "br-rp");
    lab.bridge(ns.sw, "br-mg");
    lab.attach(ns.sw, "br-rp", ns.HACON1, "rp0", `${o.net}.1.1/24`);
    lab.attach(ns.sw, "br-rp", ns.HACON2, "rp0", `${o.net}.1.2/24`);
    lab.attach(ns.sw, "br-rp", ns.mon, "rp0", `${this.monAddr}/24`);
    lab.attach(ns.sw, "br-mg", ns.HACON1, "mg0", `${o.net}.2.1/24`);
    lab.attach(ns.sw, "br-mg", ns.HACON2, "mg0", `${o.net}.2.2/24`);
    lab.attach(ns.sw, "br-mg", ns.bmc, "mg0", `${this.bmcAddr}/24`);
    lab.link({
      a: ns.HACON1,
      b: ns.HACON2,
      ifA: "dx0",
      ifB: "dx0",
      addrA: `${o.net}.3.1/24`,
      addrB: `${o.net}.3.2/24`,
    });
    const sim = (port: number, nmi?: boolean) =>
      IpmiSim.start({ netns: ns.bmc, address: this.bmcAddr, port, ...(nmi ? { nmi } : {}) });
    const sims = await Promise.all([sim(9001), sim(9002), ...o.pservers.map((p) => sim(p.port, p.nmi))]);
    [this.ilo.HACON1, this.ilo.HACON2] = sims as [IpmiSim, IpmiSim];
    o.pservers.forEach((p, i) => {
      this.pbmc[p.name] = sims[i + 2]!;
    });
    const base = labDirs(o.label);
    this.base = base;
    const c = (args: string[], pw?: string) => cli(base, "haconnsetup", args, pw);
    c(["resetpath", `addr=${this.vip}/24`, `port=${RP_PORT}`]);
    for (const args of o.before ?? []) c(args);
    NODES.forEach((n, i) => {
      // check=off: the iLOs are reachable only from inside the namespaces, not from this test.
      c(
        ["mserver", "add", n, `addr=${this.bmcAddr}:${9001 + i}`, "account=admin", "cipher=3", "check=off"],
        PW,
      );
      c(["mlan", n, `addr=${o.net}.3.${i + 1}`, "port=5002"]);
    });
    for (const p of o.pservers)
      c(["pserver", "add", p.name, `addr=${this.bmcAddr}:${p.port}`, "account=admin", "cipher=3"], PW);
    for (const args of o.after ?? []) c(args);
    const key = generateAuthKey(1);
    writeFileSync(join(base.etc, "duplex.key"), formatKeyFile({ keys: [key], send: key }), { mode: 0o600 });
    for (const n of NODES) {
      this.nodeDirs[n] = labDirs(`${o.nodeLabel}-${n}`);
      if (o.ownEtc) cpSync(base.etc, this.nodeDirs[n].etc, { recursive: true });
      else this.nodeDirs[n].env.HACONN_ETC_DIR = base.etc;
    }
  }

  /** Starts haconnd in the node's namespace and arms its BMC's reset hook. */
  async start(n: NodeName): Promise<void> {
    this.proc[n] = await startDaemon(this.nodeDirs[n], { HACONN_NODE_NAME: n, HACONN_VIP: "ip" }, 20_000, [
      "ip",
      "netns",
      "exec",
      this.ns[n],
    ]);
    this.armReset(n);
  }

  async startAll(): Promise<void> {
    await Promise.all(NODES.map((n) => this.start(n)));
  }

  /** A node fenced by an earlier scenario (its reset hook killed haconnd) is "rebooted". */
  async restartDead(): Promise<void> {
    for (const n of NODES) {
      const c = this.proc[n]?.child;
      if (c && c.exitCode === null && c.signalCode === null) continue;
      await this.proc[n]?.stop();
      await this.start(n);
    }
  }

  /** kill -9 of a node's haconnd, waiting for it to be gone. */
  async kill9(n: NodeName): Promise<void> {
    this.proc[n]!.child.kill("SIGKILL");
    await this.proc[n]!.stop();
    this.proc[n] = undefined;
  }

  /** The BMC of a management server makes a reset real: its daemon dies and its addresses go. */
  private armReset(n: NodeName): void {
    const pid = this.proc[n]?.child.pid;
    const hook = join(this.ilo[n].dir, "on-reset");
    writeFileSync(
      hook,
      `#!/bin/sh\nexec >>"${hook}.log" 2>&1\necho "$(date +%s%3N) reset of ${n}"\n${pid ? `kill -9 ${pid}\n` : ""}/usr/sbin/ip -n ${this.ns[n]} addr del ${this.vip}/24 dev rp0\nexit 0\n`,
    );
    chmodSync(hook, 0o755);
  }

  holdsVip(n: NodeName): boolean {
    try {
      return execFileSync("ip", this.addrArgv(n), { encoding: "utf8" }).includes(` ${this.vip}/`);
    } catch {
      return false;
    }
  }

  /** holdsVip without blocking the event loop. */
  holdsVipAsync(n: NodeName): Promise<boolean> {
    return new Promise((resolve) =>
      execFile("ip", this.addrArgv(n), { encoding: "utf8" }, (e, out) =>
        resolve(!e && out.includes(` ${this.vip}/`)),
      ),
    );
  }

  private addrArgv(n: NodeName): string[] {
    return ["-n", this.ns[n], "-4", "-o", "addr", "show"];
  }

  /** The node's own role from its `haconnshow status`, run on the test's side. */
  roleOf(n: NodeName): string | undefined {
    if (!this.proc[n]) return undefined;
    try {
      const s = JSON.parse(cli(this.nodeDirs[n], "haconnshow", ["status", "--json"]));
      return s.mservers.find((m: { name: string }) => m.name === n)?.role;
    } catch {
      return undefined;
    }
  }

  activeNode(): NodeName | undefined {
    return NODES.find((n) => this.roleOf(n) === "active");
  }

  /** Argv for `ip` running a script in the HA monitors' namespace: script dist vip port bind ...rest. */
  monArgv(script: string, rest: string[]): string[] {
    return [
      "netns",
      "exec",
      this.ns.mon,
      process.execPath,
      script,
      PROTOCOL_DIST,
      this.vip,
      String(RP_PORT),
      this.monAddr,
      ...rest,
    ];
  }

  /** One CHECK to the VIP from the HA monitors' namespace: the reply's body, or undefined. */
  check(subsystem: number, system: string): CheckReply | undefined {
    const argv = this.monArgv(CHECK_ONCE, [String(subsystem), system]);
    const out = execFileSync("ip", argv, { encoding: "utf8", timeout: 5000, env: this.keyEnv() }).trim();
    return out === "timeout" ? undefined : JSON.parse(out);
  }

  /** check without blocking the event loop; never throws. */
  checkAsync(subsystem: number, system: string): Promise<CheckReply | undefined> {
    const argv = this.monArgv(CHECK_ONCE, [String(subsystem), system]);
    return new Promise((resolve) =>
      execFile("ip", argv, { encoding: "utf8", timeout: 5000, env: this.keyEnv() }, (e, out) =>
        resolve(e || out.trim() === "timeout" ? undefined : JSON.parse(out.trim())),
      ),
    );
  }

  /** Writes a script into this lab's temporary directory (removed by tearDown); its path. */
  script(name: string, text: string): string {
    this.scriptDir ??= mkdtempSync(join(tmpdir(), `haconn-${this.o.prefix}-`));
    const path = join(this.scriptDir, name);
    writeFileSync(path, text);
    return path;
  }

  /** Spawns a script in the HA monitors' namespace (see monArgv); killed by tearDown. */
  spawnInMon(script: string, rest: string[], stdio: StdioOptions): ChildProcess {
    return this.track(spawn("ip", this.monArgv(script, rest), { stdio, env: this.keyEnv() }));
  }

  /** Key mode: the scripts sign with the resetpath.key haconnsetup created (KEY_SNIPPET, check-once.mjs). */
  private keyEnv(): NodeJS.ProcessEnv {
    return { ...process.env, HACONN_LAB_RESET_KEY: (this.base && labResetKeyFile(this.base)) || "" };
  }

  /** Samples the nodes' addresses every 20 ms in this process; the returned list gets every overlap. */
  watchVip(): string[] {
    const violations: string[] = [];
    this.sampler = setInterval(() => {
      const holders = NODES.filter((n) => this.holdsVip(n));
      if (holders.length > 1)
        violations.push(`${new Date().toISOString()} VIP held by ${holders.join(" and ")}`);
    }, 20);
    return violations;
  }

  /** The same as a process of its own (goes on while the test's event loop waits): every sample. */
  spawnVipSampler(intervalMs: number): { at: number; holders: string[] }[] {
    const samples: { at: number; holders: string[] }[] = [];
    const argv = [this.script("sampler.mjs", SAMPLER_SCRIPT), this.vip, String(intervalMs)];
    const child = spawn(process.execPath, [...argv, ...NODES.map((n) => this.ns[n])], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    jsonLines(this.track(child), samples);
    return samples;
  }

  /** A command from bin/ inside the node's namespace with the node's directories; never throws. */
  run(n: NodeName, command: string, args: string[], input?: string): Promise<Run> {
    return new Promise<Run>((resolve) => {
      const child = spawn("ip", ["netns", "exec", this.ns[n], join(REPO, "bin", command), ...args], {
        env: this.nodeDirs[n].env,
        stdio: ["pipe", "pipe", "pipe"],
      });
      let out = "";
      let err = "";
      const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
      child.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
      });
      child.stderr!.on("data", (d: Buffer) => {
        err += d.toString();
      });
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, out, err });
      });
      child.stdin!.end(input === undefined ? "" : `${input}\n`);
    });
  }

  private track(child: ChildProcess): ChildProcess {
    this.children.push(child);
    return child;
  }

  /** Stops everything this lab started and removes its namespaces and directories. */
  async tearDown(): Promise<void> {
    if (this.sampler) clearInterval(this.sampler);
    for (const c of this.children) c.kill("SIGKILL");
    await Promise.all(NODES.map((n) => this.proc[n]?.stop()));
    await Promise.all([...Object.values(this.ilo), ...Object.values(this.pbmc)].map((s) => s?.stop()));
    this.lab.destroy();
    for (const n of NODES) if (this.nodeDirs[n]) removeDirs(this.nodeDirs[n]);
    if (this.base) removeDirs(this.base);
    if (this.scriptDir) rmSync(this.scriptDir, { recursive: true, force: true });
  }
}
