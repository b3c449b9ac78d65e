// A pair of real haconnd nodes on loopback for fault runs (the pattern of
// scenarios/pair-loopback.test.ts): reset path <address>:<port>, bound only by the active; duplex
// LAN on two more loopback addresses; the management servers' iLOs and the managed servers' BMCs
// are ipmi_sim; optionally the PDU simulator. A sampler asks both nodes for their role every
// `sampleMs` and records any moment both say "active" while both processes live.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatKeyFile, generateAuthKey } from "@haconn/protocol";
import { IpmiSim } from "../ipmi-sim/index.js";
import { PduSim } from "../pdu-sim/index.js";
import {
  cli,
  type DaemonProcess,
  freeUdpPort,
  type LabDirs,
  labDirs,
  removeDirs,
  startDaemon,
  waitFor,
} from "../scenarios/harness.js";
import { controlRequest, roleOf } from "./control.js";
import { FAULT_COMMUNITY, FAULT_PW, type PserverSpec, setupManagedServers } from "./single-node.js";

export const PAIR_NODES = ["HACON1", "HACON2"] as const;
export type PairNode = (typeof PAIR_NODES)[number];

export interface PairSpec {
  prefix: string;
  /** Three loopback addresses: reset path, duplex of HACON1, duplex of HACON2. */
  addresses: [string, string, string];
  pservers: PserverSpec[];
  pdu?: boolean;
  hispeedMs?: number;
}

export class LoopbackPair {
  readonly proc: Partial<Record<PairNode, DaemonProcess>> = {};
  readonly violations: string[] = [];
  private sampler: NodeJS.Timeout | undefined;
  private sampling = false;

  private constructor(
    readonly dirs: LabDirs,
    readonly nodeDirs: Record<PairNode, LabDirs>,
    readonly ilo: Record<PairNode, IpmiSim>,
    readonly bmc: Record<string, IpmiSim>,
    readonly pdu: PduSim | undefined,
    readonly connector: { address: string; port: number },
  ) {}

  static async start(spec: PairSpec): Promise<LoopbackPair> {
    const [rpAddr, dx1, dx2] = spec.addresses;
    const dirs = labDirs(spec.prefix);
    const sims = await Promise.all([
      IpmiSim.start({}),
      IpmiSim.start({}),
      ...spec.pservers.map((p) => IpmiSim.start({ nmi: !p.noNmi })),
    ]);
    const ilo = { HACON1: sims[0]!, HACON2: sims[1]! };
    const bmc: Record<string, IpmiSim> = {};
    spec.pservers.forEach((p, i) => {
      bmc[p.name] = sims[i + 2]!;
    });
    const pdu = spec.pdu ? await PduSim.start({ community: FAULT_COMMUNITY }) : undefined;
    const port = await freeUdpPort(rpAddr);
    const mlanPort = await freeUdpPort(dx1);
    cli(dirs, "haconnsetup", ["resetpath", `addr=${rpAddr}/8`, `port=${port}`]);
    for (const [name, addr] of [
      ["HACON1", dx1],
      ["HACON2", dx2],
    ] as const) {
      cli(
        dirs,
        "haconnsetup",
        ["mserver", "add", name, `addr=127.0.0.1:${ilo[name].port}`, "account=admin", "cipher=3"],
        FAULT_PW,
      );
      cli(dirs, "haconnsetup", ["mlan", name, `addr=${addr}`, `port=${mlanPort}`]);
    }
    setupManagedServers(dirs, spec, bmc, pdu);
    const key = generateAuthKey(1);
    writeFileSync(join(dirs.etc, "duplex.key"), formatKeyFile({ keys: [key], send: key }), { mode: 0o600 });
    const nodeDirs = {} as Record<PairNode, LabDirs>;
    for (const n of PAIR_NODES) {
      nodeDirs[n] = labDirs(`${spec.prefix}-${n}`);
      nodeDirs[n].env.HACONN_ETC_DIR = dirs.etc;
    }
    const pair = new LoopbackPair(dirs, nodeDirs, ilo, bmc, pdu, { address: rpAddr, port });
    await Promise.all(PAIR_NODES.map((n) => pair.startNode(n)));
    return pair;
  }

  async startNode(n: PairNode): Promise<void> {
    this.proc[n] = await startDaemon(this.nodeDirs[n], { HACONN_NODE_NAME: n });
  }

  alive(n: PairNode): boolean {
    const c = this.proc[n]?.child;
    return !!c && c.exitCode === null && c.signalCode === null;
  }

  async role(n: PairNode): Promise<string | undefined> {
    return this.alive(n) ? roleOf(this.nodeDirs[n].run) : undefined;
  }

  async active(): Promise<PairNode | undefined> {
    for (const n of PAIR_NODES) if ((await this.role(n)) === "active") return n;
    return undefined;
  }

  /** Waits for one active and one standby with the duplex link OK on both. */
  async settled(timeoutMs = 30_000): Promise<PairNode> {
    return waitFor(
      "one active + one standby, synchronised",
      async () => {
        const roles = await Promise.all(PAIR_NODES.map((n) => this.role(n)));
        if ([...roles].sort().join() !== "active,standby") return undefined;
        for (const n of PAIR_NODES) {
          const s = await controlRequest<{ link: string }>(this.nodeDirs[n].run, "dumpState").catch(
            () => undefined,
          );
          if (s?.link !== "OK") return undefined;
        }
        return PAIR_NODES[roles.indexOf("active")];
      },
      timeoutMs,
    );
  }

  /** kill -9 of a node's haconnd; resolves once it is gone. */
  async kill(n: PairNode): Promise<void> {
    const p = this.proc[n];
    if (!p) return;
    p.child.kill("SIGKILL");
    await p.stop();
    this.proc[n] = undefined;
  }

  startSampler(sampleMs = 100): void {
    this.sampler = setInterval(() => {
      if (this.sampling) return;
      this.sampling = true;
      void Promise.all(PAIR_NODES.map((n) => this.role(n)))
        .then((roles) => {
          if (roles.every((r) => r === "active") && PAIR_NODES.every((n) => this.alive(n)))
            this.violations.push(`${new Date().toISOString()} both nodes active`);
        })
        .finally(() => {
          this.sampling = false;
        });
    }, sampleMs);
  }

  async stop(): Promise<void> {
    if (this.sampler) clearInterval(this.sampler);
    for (const n of PAIR_NODES) await this.proc[n]?.stop();
    await Promise.all([...Object.values(this.ilo), ...Object.values(this.bmc)].map((s) => s.stop()));
    await this.pdu?.stop();
    for (const n of PAIR_NODES) removeDirs(this.nodeDirs[n]);
    removeDirs(this.dirs);
  }
}
