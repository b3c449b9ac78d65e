// The takeover bench's network: two management-server namespaces joined by a duplex switch, a
// reset-path bridge shared with a third namespace for the HA monitor (the prober), a management
// LAN with the BMCs (ipmi_sim) of both management servers and of one managed server. Same shape
// as tools/lab/src/scenarios/pair-netns.test.ts; every address lives only inside these
// namespaces (prefix "hcx5"). Every process started here is tracked and ended in destroy().

import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { formatKeyFile, generateAuthKey } from "@haconn/protocol";
import { IpmiSim } from "../../lab/src/ipmi-sim/index.js";
import { NetnsLab } from "../../lab/src/netns/index.js";
import { AddressWatch } from "./takeover-address-watch.js";
import { cli, type LabDirs, labDirs, removeDirs, runCommand } from "./takeover-support.js";

export const PREFIX = "hcx5";
export const VIP = "10.79.1.100";
export const KA_VIP = "10.79.1.200";
export const RP_PORT = 30000;
export const ECHO_PORT = 30007;
export const MON_ADDR = "10.79.1.21";
export const PW = "haconn-sim-pw1";
export const NODES = ["HACON1", "HACON2"] as const;
export type NodeName = (typeof NODES)[number];

export const other = (n: NodeName): NodeName => (n === "HACON1" ? "HACON2" : "HACON1");

/** Ends the processes still running inside namespaces of an earlier crashed run, then the namespaces. */
export async function cleanupLeftovers(prefix = PREFIX): Promise<void> {
  const list = await runCommand("ip", ["netns", "list"]).catch(() => "");
  for (const line of list.split("\n")) {
    const name = line.split(" ")[0];
    if (!name?.startsWith(`${prefix}-`)) continue;
    const pids = await runCommand("ip", ["netns", "pids", name]).catch(() => "");
    for (const pid of pids.split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(pid), "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
  NetnsLab.cleanupLeftovers(prefix);
}

export class TakeoverLab {
  readonly net: NetnsLab;
  readonly ns = {} as Record<NodeName | "sw" | "bmc" | "mon", string>;
  readonly ilo = {} as Record<NodeName, IpmiSim>;
  pserverBmc: IpmiSim | undefined;
  dirs: LabDirs | undefined;
  readonly nodeDirs = {} as Record<NodeName, LabDirs>;
  readonly children = new Set<ChildProcess>();
  watch: AddressWatch | undefined;

  private constructor(prefix: string) {
    this.net = new NetnsLab(prefix);
  }

  /** Builds the network; `prefix` names every namespace (default hcx5; tests use their own). */
  static async create(log: (line: string) => void, prefix = PREFIX): Promise<TakeoverLab> {
    await cleanupLeftovers(prefix);
    const lab = new TakeoverLab(prefix);
    try {
      await lab.#build(log);
    } catch (error) {
      await lab.destroy();
      throw error;
    }
    return lab;
  }

  async #build(log: (line: string) => void): Promise<void> {
    const { net, ns } = this;
    for (const k of ["sw", "HACON1", "HACON2", "bmc", "mon"] as const) ns[k] = net.add(k.toLowerCase());
    net.bridge(ns.sw, "br-rp");
    net.bridge(ns.sw, "br-mg");
    net.attach(ns.sw, "br-rp", ns.HACON1, "rp0", "10.79.1.1/24");
    net.attach(ns.sw, "br-rp", ns.HACON2, "rp0", "10.79.1.2/24");
    net.attach(ns.sw, "br-rp", ns.mon, "rp0", `${MON_ADDR}/24`);
    net.attach(ns.sw, "br-mg", ns.HACON1, "mg0", "10.79.2.1/24");
    net.attach(ns.sw, "br-mg", ns.HACON2, "mg0", "10.79.2.2/24");
    net.attach(ns.sw, "br-mg", ns.bmc, "mg0", "10.79.2.10/24");
    // The duplex LAN through its own switch, so that a cut (a port taken off the bridge) leaves
    // both nodes' carrier up: what a failed switch port or inter-switch link looks like to them.
    net.bridge(ns.sw, "br-dx");
    net.attach(ns.sw, "br-dx", ns.HACON1, "dx0", "10.79.3.1/24");
    net.attach(ns.sw, "br-dx", ns.HACON2, "dx0", "10.79.3.2/24");
    log("namespaces up; starting ipmi_sim BMCs");
    [this.ilo.HACON1, this.ilo.HACON2, this.pserverBmc] = await Promise.all([
      IpmiSim.start({ netns: ns.bmc, address: "10.79.2.10", port: 9001 }),
      IpmiSim.start({ netns: ns.bmc, address: "10.79.2.10", port: 9002 }),
      IpmiSim.start({ netns: ns.bmc, address: "10.79.2.10", port: 9003 }),
    ]);
    this.watch = new AddressWatch(
      NODES.map((n) => ({ node: n, ns: ns[n] })),
      (argv) => this.spawnTracked(argv),
    );
    await this.watch.ready();
    await this.#configure();
  }

  async #configure(): Promise<void> {
    const dirs = labDirs("hcx5-bench");
    this.dirs = dirs;
    // Insecure on purpose (the explicit switch): the takeover probe sends raw unsigned CHECKs.
    await cli(dirs, "haconnsetup", ["resetpath", `addr=${VIP}/24`, `port=${RP_PORT}`, "insecure=on"]);
    for (const [i, n] of NODES.entries()) {
      // check=off: the iLOs are reachable only from inside the namespaces.
      await cli(
        dirs,
        "haconnsetup",
        ["mserver", "add", n, `addr=10.79.2.10:${9001 + i}`, "account=admin", "cipher=3", "check=off"],
        PW,
      );
      await cli(dirs, "haconnsetup", ["mlan", n, `addr=10.79.3.${i + 1}`, "port=5002"]);
    }
    await cli(
      dirs,
      "haconnsetup",
      ["pserver", "add", "PSERVER1", "addr=10.79.2.10:9003", "account=admin", "cipher=3"],
      PW,
    );
    const key = generateAuthKey(1);
    writeFileSync(join(dirs.etc, "duplex.key"), formatKeyFile({ keys: [key], send: key }), { mode: 0o600 });
    for (const n of NODES) {
      this.nodeDirs[n] = labDirs(`hcx5-bench-${n}`);
      this.nodeDirs[n].env.HACONN_ETC_DIR = dirs.etc;
    }
  }

  /** Runs argv (already prefixed with `ip netns exec <ns>` when needed), tracked for destroy(). */
  spawnTracked(argv: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
    const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ["pipe", "pipe", "pipe"] });
    this.children.add(child);
    child.once("exit", () => this.children.delete(child));
    child.stdin?.on("error", () => {
      // the child went away first
    });
    return child;
  }

  inNs(ns: string, argv: string[]): string[] {
    return ["ip", "netns", "exec", ns, ...argv];
  }

  /**
   * What the iLO of `n` does on a hardware reset: the management server "reboots" — the
   * connector process on it dies and its addresses go (the VIP with them).
   */
  armReset(n: NodeName, pid: number | undefined): void {
    const hook = join(this.ilo[n].dir, "on-reset");
    writeFileSync(
      hook,
      `#!/bin/sh\nexec >>"${hook}.log" 2>&1\necho "$(date +%s%3N) reset of ${n}"\n${pid ? `kill -9 ${pid}\n` : ""}/usr/sbin/ip -n ${this.ns[n]} addr del ${VIP}/24 dev rp0 2>/dev/null\nexit 0\n`,
    );
    chmodSync(hook, 0o755);
  }

  /** The duplex switch's ports of both nodes (see NetnsLab.attach for the names). */
  #duplexPorts(): string[] {
    return NODES.map((n) => `dx0-${this.ns[n].slice(-4)}`.slice(0, 15));
  }

  /**
   * Cuts the duplex LAN in its switch: both ports leave the bridge; both nodes stay up, their
   * carrier too, and nothing passes between them on that LAN.
   */
  async cutDuplex(): Promise<void> {
    await Promise.all(
      this.#duplexPorts().map((p) => runCommand("ip", ["-n", this.ns.sw, "link", "set", p, "nomaster"])),
    );
  }

  async restoreDuplex(): Promise<void> {
    await Promise.all(
      this.#duplexPorts().map((p) =>
        runCommand("ip", ["-n", this.ns.sw, "link", "set", p, "master", "br-dx"]),
      ),
    );
  }

  /** Epoch ms of the last hardware reset the iLO of `n` carried out after `since`. */
  async resetAt(n: NodeName, since: number): Promise<number | undefined> {
    const actions = await this.ilo[n].actions().catch(() => []);
    return actions.find((a) => a.action === "reset" && a.atMs >= since - 5)?.atMs;
  }

  async destroy(): Promise<void> {
    for (const child of this.children) {
      child.stdin?.end();
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
    await Promise.all(
      [...this.children].map(
        (c) =>
          new Promise<void>((r) =>
            c.exitCode !== null || c.signalCode !== null ? r() : c.once("exit", () => r()),
          ),
      ),
    );
    await Promise.all([this.ilo.HACON1, this.ilo.HACON2, this.pserverBmc].map((s) => s?.stop()));
    // Anything still alive in our namespaces (keepalived's VRRP child, arping) is ours.
    for (const ns of this.net.namespaces) {
      const pids = await runCommand("ip", ["netns", "pids", ns]).catch(() => "");
      for (const pid of pids.split(/\s+/).filter(Boolean)) {
        try {
          process.kill(Number(pid), "SIGKILL");
        } catch {
          // already gone
        }
      }
    }
    this.net.destroy();
    for (const n of NODES) if (this.nodeDirs[n]) removeDirs(this.nodeDirs[n]);
    if (this.dirs) removeDirs(this.dirs);
  }
}

/** Reads JSON lines from a child's stdout. */
export function jsonLines(child: ChildProcess, onLine: (v: Record<string, unknown>) => void): void {
  const rl = createInterface({ input: child.stdout! });
  rl.on("line", (line) => {
    try {
      onLine(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // not a JSON line
    }
  });
}
