// One real haconnd on loopback for fault runs: ipmi_sim BMCs (NMI module), optionally the PDU
// simulator, configured with the real haconnsetup. The caller owns the returned handles and
// calls stop() in afterAll.

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
} from "../scenarios/harness.js";

export const FAULT_PW = "haconn-sim-pw1";
export const FAULT_COMMUNITY = "faultcommunity1";

export interface PserverSpec {
  name: string;
  /** Extra `haconnsetup pserver add` arguments, e.g. ["ipdusd=on", "timeout=5"]. */
  extra?: string[];
  /** PDU outlets feeding it (needs the PDU). */
  outlets?: number[];
  /** Without the NMI module (NMI refused). */
  noNmi?: boolean;
}

export interface SingleNodeSpec {
  prefix: string;
  /** Reset-path address (loopback). */
  address: string;
  pservers: PserverSpec[];
  pdu?: boolean;
  hispeedMs?: number;
  env?: NodeJS.ProcessEnv;
  /** Called after setup, before the daemon starts (e.g. to mount the log directory). */
  beforeStart?(dirs: LabDirs): void;
}

/**
 * The managed servers with their BMCs (ipmi_sim on loopback), the PDU and its outlet links and
 * the hispeed time, configured with the real haconnsetup (secrets on standard input).
 */
export function setupManagedServers(
  dirs: LabDirs,
  spec: { pservers: readonly PserverSpec[]; hispeedMs?: number | undefined },
  bmc: Record<string, { port: number }>,
  pdu: { port: number } | undefined,
): void {
  for (const p of spec.pservers) {
    const bmcAddr = `addr=127.0.0.1:${bmc[p.name]!.port}`;
    cli(
      dirs,
      "haconnsetup",
      ["pserver", "add", p.name, bmcAddr, "account=admin", "cipher=3", ...(p.extra ?? [])],
      FAULT_PW,
    );
  }
  if (pdu) {
    const pduAddr = `127.0.0.1:${pdu.port}`;
    cli(dirs, "haconnsetup", ["snmp"], FAULT_COMMUNITY);
    cli(dirs, "haconnsetup", ["ipdu", "add", pduAddr, "model=IBM_PDU"]);
    for (const p of spec.pservers)
      for (const o of p.outlets ?? [])
        cli(dirs, "haconnsetup", ["pserver", "ipduadd", p.name, `addr=${pduAddr}`, `concent=${o}`]);
  }
  if (spec.hispeedMs) cli(dirs, "haconnsetup", ["hispeed", `resettime=${spec.hispeedMs}`]);
}

export class SingleNode {
  daemon: DaemonProcess | undefined;

  private constructor(
    readonly dirs: LabDirs,
    readonly bmc: Record<string, IpmiSim>,
    readonly pdu: PduSim | undefined,
    readonly connector: { address: string; port: number },
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  static async start(spec: SingleNodeSpec): Promise<SingleNode> {
    const dirs = labDirs(spec.prefix);
    const bmc: Record<string, IpmiSim> = {};
    let pdu: PduSim | undefined;
    try {
      const sims = await Promise.all(spec.pservers.map((p) => IpmiSim.start({ nmi: !p.noNmi })));
      spec.pservers.forEach((p, i) => {
        bmc[p.name] = sims[i]!;
      });
      if (spec.pdu) pdu = await PduSim.start({ community: FAULT_COMMUNITY });
      const port = await freeUdpPort(spec.address);
      cli(dirs, "haconnsetup", ["resetpath", `addr=${spec.address}/8`, `port=${port}`]);
      setupManagedServers(dirs, spec, bmc, pdu);
      spec.beforeStart?.(dirs);
      const node = new SingleNode(dirs, bmc, pdu, { address: spec.address, port }, spec.env ?? {});
      node.daemon = await startDaemon(dirs, node.env);
      return node;
    } catch (error) {
      await Promise.all(Object.values(bmc).map((b) => b.stop()));
      await pdu?.stop();
      removeDirs(dirs);
      throw error;
    }
  }

  /** Starts haconnd again (after a kill or a stop). */
  async restart(): Promise<DaemonProcess> {
    await this.daemon?.stop();
    this.daemon = await startDaemon(this.dirs, this.env);
    return this.daemon;
  }

  alive(): boolean {
    const c = this.daemon?.child;
    return !!c && c.exitCode === null && c.signalCode === null;
  }

  /** BMC actions of a server ("nmi", "reset", ...). */
  async actions(name: string): Promise<string[]> {
    return (await this.bmc[name]!.actions()).map((a) => a.action);
  }

  async stop(opts: { keepDirs?: boolean } = {}): Promise<void> {
    await this.daemon?.stop();
    await Promise.all(Object.values(this.bmc).map((b) => b.stop()));
    await this.pdu?.stop();
    if (!opts.keepDirs) removeDirs(this.dirs);
  }
}
