// A real Pacemaker + corosync cluster on one machine (issue 18, §4): each node is a NodeHolder
// (own network, mount, UTS and PID namespace) running Debian's `corosync -f` and `pacemakerd`
// from its own /etc/corosync, /var/lib/{corosync,pacemaker}, /var/log/{pacemaker,corosync} and
// private /run and /dev/shm. fence_haconn and ocf:haconn:monitor are laid over /usr/sbin and
// /usr/lib/ocf/resource.d of each node as launchers into this checkout (the RPM installs them
// there). Everything lives in namespaces the caller's NetnsLab created; tearDown leaves nothing.

import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { NetnsLab } from "../netns/index.js";
import { type CibOptions, launcher, renderCib, renderCorosyncConf } from "./files.js";
import { type ExecResult, NodeHolder } from "./holder.js";

export interface ClusterNet {
  /** Bridge in the switch namespace (created by the caller, except the cluster LAN). */
  bridge: string;
  /** Interface name inside each node. */
  ifName: string;
  /** First three octets, e.g. "10.81.1". */
  net: string;
  /** Node i (0-based) gets `${net}.${hostBase + i}/24`. */
  hostBase: number;
}

export interface PacemakerClusterOptions {
  lab: NetnsLab;
  /** The switch namespace holding the bridges. */
  switchNs: string;
  /** Node names (also the corosync names and hostnames); nodeid = index + 1. */
  nodes: string[];
  /** The cluster LAN (corosync); its bridge is created here. */
  cluster: ClusterNet;
  /** Other LANs every node joins (reset path, management LAN), bridges made by the caller. */
  nets: ClusterNet[];
  /** Checkout root, for the launchers. */
  repo: string;
  cib: CibOptions;
  tokenMs?: number;
}

export interface PcmkNode {
  name: string;
  nodeid: number;
  netns: string;
  dir: string;
  holder: NodeHolder | undefined;
}

export interface CrmState {
  dc: string | undefined;
  online: string[];
  /** resource id → nodes it is active on. */
  resources: Record<string, string[]>;
}

export class PacemakerCluster {
  readonly root: string;
  readonly nodes: PcmkNode[] = [];
  private readonly authkey = randomBytes(256);

  constructor(readonly o: PacemakerClusterOptions) {
    this.root = mkdtempSync(join(tmpdir(), "haconn-pcmk-"));
    chmodSync(this.root, 0o755);
  }

  addr(net: ClusterNet, node: string): string {
    return `${net.net}.${net.hostBase + this.o.nodes.indexOf(node)}`;
  }

  node(name: string): PcmkNode {
    const n = this.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no node ${name}`);
    return n;
  }

  /** Namespaces, links and every node's files. No process yet. */
  setUp(): void {
    const { lab, switchNs, cluster } = this.o;
    lab.bridge(switchNs, cluster.bridge);
    const uid = Number(execFileSync("id", ["-u", "hacluster"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "hacluster"], { encoding: "utf8" }).trim());
    const sbin = join(this.root, "sbin");
    const ocf = join(this.root, "ocf");
    mkdirSync(join(ocf, "haconn"), { recursive: true });
    mkdirSync(sbin, { recursive: true });
    writeFileSync(join(sbin, "fence_haconn"), launcher(this.o.repo, "cli", "fence_haconn"), { mode: 0o755 });
    writeFileSync(join(ocf, "haconn", "monitor"), launcher(this.o.repo, "cli", "haconn-ocf-monitor"), {
      mode: 0o755,
    });
    const empty = execFileSync("cibadmin", ["--empty"], { encoding: "utf8" });
    const conf = renderCorosyncConf({
      clusterName: "haconnlab",
      nodes: this.o.nodes.map((name, i) => ({ name, nodeid: i + 1, ring0: this.addr(cluster, name) })),
      ...(this.o.tokenMs ? { tokenMs: this.o.tokenMs } : {}),
    });
    this.o.nodes.forEach((name, i) => {
      const netns = lab.add(`pn${i + 1}`);
      for (const net of [cluster, ...this.o.nets])
        lab.attach(switchNs, net.bridge, netns, net.ifName, `${this.addr(net, name)}/24`);
      const dir = join(this.root, name);
      const d = (sub: string, mode = 0o755, own = false) => {
        const p = join(dir, sub);
        mkdirSync(p, { recursive: true, mode });
        chmodSync(p, mode);
        if (own) chownSync(p, uid, gid);
        return p;
      };
      d("etc-corosync");
      d("lib-corosync");
      d("log-corosync");
      d("log-pacemaker", 0o770, true);
      d("log-pacemaker/bundles", 0o770, true);
      d("lib-pacemaker", 0o755);
      for (const s of ["cib", "pengine", "blackbox", "cores"]) d(`lib-pacemaker/${s}`, 0o750, true);
      writeFileSync(join(dir, "etc-corosync", "corosync.conf"), conf);
      writeFileSync(join(dir, "etc-corosync", "authkey"), this.authkey, { mode: 0o400 });
      const cib = join(dir, "lib-pacemaker", "cib", "cib.xml");
      writeFileSync(cib, renderCib(empty, this.o.cib), { mode: 0o600 });
      chownSync(cib, uid, gid);
      this.nodes.push({ name, nodeid: i + 1, netns, dir, holder: undefined });
    });
  }

  /** Boots one node: its host, corosync, then pacemakerd. Bounded. */
  async startNode(name: string, timeoutMs = 20_000): Promise<void> {
    const n = this.node(name);
    if (n.holder?.alive) throw new Error(`${name} is running`);
    n.holder = await NodeHolder.start({
      netns: n.netns,
      dir: n.dir,
      hostname: name,
      binds: [
        { source: join(n.dir, "etc-corosync"), target: "/etc/corosync" },
        { source: join(n.dir, "lib-corosync"), target: "/var/lib/corosync" },
        { source: join(n.dir, "lib-pacemaker"), target: "/var/lib/pacemaker" },
        { source: join(n.dir, "log-pacemaker"), target: "/var/log/pacemaker" },
        { source: join(n.dir, "log-corosync"), target: "/var/log/corosync" },
      ],
      overlays: [
        { source: join(this.root, "sbin"), target: "/usr/sbin" },
        { source: join(this.root, "ocf"), target: "/usr/lib/ocf/resource.d" },
      ],
    });
    const h = n.holder;
    h.spawn(["corosync", "-f"], join(n.dir, "corosync.out"));
    const until = Date.now() + timeoutMs;
    for (;;) {
      const r = await h.exec(["corosync-cfgtool", "-s"], { timeoutMs: 3000 });
      if (r.code === 0) break;
      if (Date.now() > until) throw new Error(`corosync on ${name} not up: ${r.err}${this.tail(name)}`);
      await sleep(100);
    }
    h.spawn(["pacemakerd"], join(n.dir, "pacemakerd.out"));
  }

  async startAll(): Promise<void> {
    await Promise.all(this.o.nodes.map((n) => this.startNode(n)));
  }

  /** Runs a command on a node. */
  exec(
    name: string,
    command: string[],
    opts: { timeoutMs?: number; input?: string } = {},
  ): Promise<ExecResult> {
    const h = this.node(name).holder;
    if (!h?.alive) return Promise.resolve({ code: -1, out: "", err: `${name} is down` });
    return h.exec(command, opts);
  }

  /** The cluster as `crm_mon` on `name` sees it. */
  async state(name: string): Promise<CrmState | undefined> {
    const r = await this.exec(name, ["crm_mon", "-1", "--output-as=xml"], { timeoutMs: 5000 });
    if (r.code !== 0) return undefined;
    const x = r.out;
    const dc = /<current_dc present="true"[^>]* name="([^"]+)"/.exec(x)?.[1];
    const online = [...x.matchAll(/<node name="([^"]+)" id="[^"]*" online="true"/g)].map((m) => m[1]!);
    const resources: Record<string, string[]> = {};
    for (const m of x.matchAll(/<resource id="([^"]+)"[^>]*role="Started"[^>]*>\s*<node name="([^"]+)"/g))
      resources[m[1]!] = [...(resources[m[1]!] ?? []), m[2]!];
    return { dc, online, resources };
  }

  /** Waits until `name` sees a DC, every node in `expectOnline` online and `resources` started. */
  async waitReady(
    name: string,
    expectOnline: string[],
    resources: string[],
    timeoutMs = 40_000,
  ): Promise<CrmState> {
    const until = Date.now() + timeoutMs;
    let last: CrmState | undefined;
    for (;;) {
      last = await this.state(name);
      if (
        last?.dc &&
        expectOnline.every((n) => last!.online.includes(n)) &&
        resources.every((r) => (last!.resources[r] ?? []).length > 0)
      )
        return last;
      if (Date.now() > until)
        throw new Error(`cluster not ready on ${name}: ${JSON.stringify(last)}${this.tail(name)}`);
      await sleep(250);
    }
  }

  /** kill -9 of the node's corosync (by its pid file): the node fails as far as the cluster goes. */
  async killCorosync(name: string): Promise<void> {
    const r = await this.exec(name, ["cat", "/run/corosync.pid"]);
    const pid = Number(r.out.trim());
    if (!(pid > 1)) throw new Error(`no corosync pid on ${name}: ${r.err}`);
    await this.exec(name, ["kill", "-9", String(pid)]);
  }

  /** Host PID file of the node's holder (what its BMC kills). */
  holderPidFile(name: string): string {
    return join(this.node(name).dir, "holder.pid");
  }

  /** The last lines of a node's logs, for error messages. */
  tail(name: string, lines = 30): string {
    const n = this.nodes.find((x) => x.name === name);
    if (!n) return "";
    const out: string[] = [];
    for (const f of ["corosync.out", "pacemakerd.out", "log-pacemaker/pacemaker.log"]) {
      try {
        out.push(`--- ${name} ${f}`, ...readFileSync(join(n.dir, f), "utf8").split("\n").slice(-lines));
      } catch {
        // not there
      }
    }
    return `\n${out.join("\n")}`;
  }

  /** Stops every node (SIGKILL to its host) and removes the files. Namespaces: the caller's lab. */
  async tearDown(keep = process.env.HACONN_PCMK_KEEP === "1"): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.holder?.kill()));
    if (!keep) rmSync(this.root, { recursive: true, force: true });
    else process.stdout.write(`pacemaker lab files kept in ${this.root}\n`);
  }
}
