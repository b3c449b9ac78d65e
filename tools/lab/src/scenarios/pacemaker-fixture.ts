// The Pacemaker scenarios' world (issue 18 §4): the haconn pair as separate hosts
// (netns-pair-fixture.ts, addresses 10.81.x) configured with the real haconnsetup in key mode,
// one ipmi_sim BMC with the NMI module per Pacemaker node whose reset or power-off really kills
// that node (its holder), and a real corosync + Pacemaker cluster (../pacemaker/cluster.ts) on
// a cluster LAN of its own (10.81.4.x), joined to the reset path (10.81.1.x) and the BMCs'
// management LAN (10.81.2.x). Every node runs the ocf:haconn:monitor clone; fence_haconn is
// the stonith device. Every address lives only in these namespaces.

import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CHASSIS_SCRIPT } from "../ipmi-sim/sim-files.js";
import { PacemakerCluster } from "../pacemaker/cluster.js";
import { ocfPrimitive, stonithPrimitive } from "../pacemaker/files.js";
import { labResetKeyFile, REPO, waitFor } from "./harness.js";
import { PairNetns, RP_PORT } from "./netns-pair-fixture.js";

export const CLUSTER_PORT = 40000;
/** The connector's hispeed time: a kdump kernel must send its notice within it. */
export const HISPEED_MS = 2000;
export const NET = "10.81";
export const KDUMP_SEND = "/usr/libexec/fence-agents/fence_kdump_send";

export interface PcmkLabOptions {
  /** Namespace prefix (unique per test file). */
  prefix: string;
  nodes: string[];
  /** The stonith devices' XML; default: one fence_haconn device for every node. */
  stonith?: (lab: PcmkLab) => string;
  /** Extra haconnsetup commands after the pservers. */
  after?: string[][];
  /** More cluster options. */
  properties?: Record<string, string>;
  /** ids of the fence_haconn devices of `stonith`, started after the monitor clone. */
  stonithIds?: string[];
  /** ocf:haconn:monitor's pair parameter (default auto). */
  pair?: string;
}

export const systemOf = (node: string): string => node.toUpperCase();

export class PcmkLab {
  readonly pair: PairNetns;
  cluster!: PacemakerCluster;
  keyFile = "";
  private readonly children: ChildProcess[] = [];

  constructor(readonly o: PcmkLabOptions) {
    this.pair = new PairNetns({
      prefix: o.prefix,
      net: NET,
      label: `${o.prefix}-cfg`,
      nodeLabel: o.prefix,
      pservers: o.nodes.map((n, i) => ({ name: systemOf(n), port: 9101 + i, nmi: true })),
      after: [
        ...o.nodes.map((n) => ["pserver", "mod", systemOf(n), "cluster=on"]),
        ["hispeed", `resettime=${HISPEED_MS}`],
        ...(o.after ?? []),
      ],
    });
  }

  get hostMap(): string {
    return this.o.nodes.map((n) => `${n}:${systemOf(n)}`).join(";");
  }

  /** fence_haconn's device parameters (pcmk_host_map maps node names to haconn system names). */
  haconnDevice(id = "fence-haconn", extra: Record<string, string> = {}): string {
    return stonithPrimitive(
      id,
      "fence_haconn",
      {
        ip: this.pair.vip,
        ipport: String(RP_PORT),
        key_file: this.keyFile,
        pcmk_host_map: this.hostMap,
        debug_file: "/var/log/pacemaker/fence_haconn.debug",
        // stonith-timeout (40 s) ≥ power_timeout + 6.5 s (a second request) + ~8 s (docs/pacemaker.md).
        power_timeout: "20",
        ...extra,
      },
      "60s",
    );
  }

  /** Brings everything up: haconn pair active, then the cluster ready with the monitor clone on every node. */
  async setUp(): Promise<void> {
    const { pair, o } = this;
    await pair.setUp();
    await pair.startAll();
    await waitFor("an active connector", () => pair.activeNode(), 30_000);
    const cluster = new PacemakerCluster({
      lab: pair.lab,
      switchNs: pair.ns.sw,
      nodes: o.nodes,
      cluster: { bridge: "br-cl", ifName: "cl0", net: `${NET}.4`, hostBase: 1 },
      nets: [
        { bridge: "br-rp", ifName: "rp0", net: `${NET}.1`, hostBase: 31 },
        { bridge: "br-mg", ifName: "mg0", net: `${NET}.2`, hostBase: 31 },
      ],
      repo: REPO,
      cib: { properties: {} },
    });
    this.cluster = cluster;
    const keyDir = join(cluster.root, "keys");
    mkdirSync(keyDir, { mode: 0o700 });
    this.keyFile = join(keyDir, "resetpath.key");
    copyFileSync(labResetKeyFile(pair.base!)!, this.keyFile);
    chmodSync(this.keyFile, 0o600);
    cluster.o.cib = {
      properties: {
        "stonith-enabled": "true",
        "stonith-timeout": "40s",
        "dc-deadtime": "5s",
        "startup-fencing": "false",
        "cluster-recheck-interval": "1min",
        ...o.properties,
      },
      resources: [
        ocfPrimitive(
          "haconn-monitor",
          "haconn",
          "monitor",
          {
            ip: pair.vip,
            ipport: String(RP_PORT),
            cluster_port: String(CLUSTER_PORT),
            key_file: this.keyFile,
            host_map: this.hostMap,
            check_interval: "1",
            pair: o.pair ?? "auto",
          },
          [
            { name: "start", interval: "0", timeout: "20s" },
            { name: "monitor", interval: "5s", timeout: "20s" },
          ],
          true,
        ),
        o.stonith ? o.stonith(this) : this.haconnDevice(),
        ocfPrimitive("dummy", "pacemaker", "Dummy", {}, [
          { name: "monitor", interval: "10s", timeout: "20s" },
        ]),
      ].join(""),
    };
    cluster.setUp();
    for (const n of o.nodes) this.armBmc(n);
    await cluster.startAll();
  }

  /** Waits until every node is online and the monitor clone, the fence devices and Dummy run. */
  async waitReady(devices: string[] = ["fence-haconn"], timeoutMs = 45_000): Promise<void> {
    const { cluster, o } = this;
    const until = Date.now() + timeoutMs;
    await cluster.waitReady(o.nodes[0]!, o.nodes, [...devices, "dummy"], timeoutMs);
    for (;;) {
      const s = await cluster.state(o.nodes[0]!);
      if ((s?.resources["haconn-monitor"] ?? []).length === o.nodes.length) return;
      if (Date.now() > until) throw new Error(`monitor clone not on every node: ${JSON.stringify(s)}`);
      await sleep(200);
    }
  }

  bmc(node: string) {
    return this.pair.pbmc[systemOf(node)]!;
  }

  async bmcActions(node: string) {
    return this.bmc(node).actions();
  }

  /** The node's BMC makes a reset and a power-off real: the node's holder (every process) dies. */
  private armBmc(node: string): void {
    const sim = this.bmc(node);
    const pidFile = this.cluster.holderPidFile(node);
    const hook = (what: string) =>
      // The PID file names the node's holder only while it runs (PIDs are reused): check its command line.
      `#!/bin/sh\necho "$(date +%s%3N) ${what} of ${node}" >> "${sim.dir}/hooks.log"\npid=$(cat "${pidFile}" 2>/dev/null)\nif [ -n "$pid" ] && grep -q "${pidFile.replace(/holder\.pid$/, "holder.sh")}" "/proc/$pid/cmdline" 2>/dev/null; then kill -9 "$pid"; rm -f "${pidFile}"; fi\nexit 0\n`;
    writeFileSync(join(sim.dir, "on-reset"), hook("reset"), { mode: 0o755 });
    writeFileSync(join(sim.dir, "on-off"), hook("power-off"), { mode: 0o755 });
    const script = CHASSIS_SCRIPT.replace(
      'if [ "$v" = 1 ]; then log on; else log off; fi',
      'if [ "$v" = 1 ]; then log on; else if [ -x "$dir/on-off" ]; then "$dir/on-off"; fi; log off; fi',
    );
    if (script === CHASSIS_SCRIPT) throw new Error("chassis script changed: cannot add the power-off hook");
    writeFileSync(join(sim.dir, "chassis-control.sh"), script, { mode: 0o755 });
  }

  /**
   * The node runs kdump with fence_kdump: when its BMC delivers the NMI, the node's cluster stack
   * dies (panic) and the kdump kernel's `fence_kdump_send -i 1` starts from the node's address.
   */
  armKdump(node: string): { stop(): void; sentAt(): number | undefined } {
    let sentAt: number | undefined;
    let stopped = false;
    let sender: ChildProcess | undefined;
    const loop = async () => {
      while (!stopped) {
        if ((await this.bmcActions(node)).some((a) => a.action === "nmi")) break;
        await sleep(20);
      }
      if (stopped) return;
      // The kdump kernel's notifier and the end of the crashed stack, at once.
      const ns = this.cluster.node(node).netns;
      sentAt = Date.now();
      sender = spawn(
        "ip",
        ["netns", "exec", ns, KDUMP_SEND, "-i", "1", "-c", "0", "-p", "7410", this.pair.vip],
        {
          stdio: "ignore",
        },
      );
      this.children.push(sender);
      await this.cluster.node(node).holder?.kill();
    };
    void loop();
    return {
      // The dump is over (or the node was reset): its notifier stops with it. A sender left
      // running answers the node's next fence as a dump from the NMI phase: a false "fenced".
      stop: () => {
        stopped = true;
        if (sender && sender.exitCode === null && sender.signalCode === null) sender.kill("SIGKILL");
      },
      sentAt: () => sentAt,
    };
  }

  /** `stonith_admin --history` of a node as text. */
  async history(on: string, target = "*"): Promise<string> {
    const r = await this.cluster.exec(on, ["stonith_admin", "--history", target, "--verbose"], {
      timeoutMs: 10_000,
    });
    return r.out + r.err;
  }

  /** crm_mon -1 as text (for the report). */
  async crmMon(on: string): Promise<string> {
    return (await this.cluster.exec(on, ["crm_mon", "-1", "-r"], { timeoutMs: 10_000 })).out;
  }

  /** Epoch ms of the reset-log lines `<what> <system> ... SEND` (local-time stamps), oldest first. */
  resetLogTimes(what: string, system: string): number[] {
    const re = new RegExp(
      `^\\[(\\d{4})/(\\d\\d)/(\\d\\d) (\\d\\d):(\\d\\d):(\\d\\d):(\\d{3})\\d{3}\\] ${what} ${system} \\d+ SEND`,
      "gm",
    );
    return [...this.resetLog().matchAll(re)].map((m) => {
      const [y, mo, d, h, mi, sec, ms] = m.slice(1).map(Number) as number[];
      return new Date(y!, mo! - 1, d!, h!, mi!, sec!, ms!).getTime();
    });
  }

  resetLog(): string {
    const active = this.pair.activeNode() ?? "HACON1";
    try {
      return readFileSync(join(this.pair.nodeDirs[active].log, "resetlog1"), "utf8");
    } catch {
      return "";
    }
  }

  async tearDown(): Promise<void> {
    for (const c of this.children) c.kill("SIGKILL");
    await this.cluster?.tearDown();
    await this.pair.tearDown();
  }
}
