// The pair's network, as data: where the two haconnd nodes, the reset path (the VIP), the
// duplex LAN, the simulators and the HA monitors live, in either mode.
//   netns:    three network namespaces of this lab (prefix hcl-<id>): HACON1 and HACON2 (the
//             management servers) and "lab" (simulators + HA monitors). A direct veth carries
//             the duplex LAN; two bridges in the lab namespace carry the reset-path LAN (with
//             the real virtual IP) and the management LAN (the BMCs, the PDU, the ESXi host).
//   loopback: everything on 127.0.0.0/8; only the active binds the reset-path port.
// Every address of the netns mode exists only inside those namespaces.
import { createHash } from "node:crypto";
import { type LabSystem, LAB_MSERVERS } from "./topology.js";

export type LabMode = "loopback" | "netns";
export type LabNode = (typeof LAB_MSERVERS)[number];
export const LAB_NODES: readonly LabNode[] = LAB_MSERVERS;

export interface Endpoint {
  addr: string;
  port: number;
}

export interface NetnsNames {
  /** Common prefix of every namespace of this lab: hcl-<6 hex of the lab directory>. */
  prefix: string;
  nodes: Record<LabNode, string>;
  /** Simulators and HA monitors. */
  lab: string;
}

export interface PairTopology {
  mode: LabMode;
  netns?: NetnsNames;
  /** The reset path: the VIP (netns) or a loopback address (loopback), and its port. */
  resetPath: Endpoint & { prefixLength: number };
  /** HACONN_VIP for the daemons: a real address moved with ip(8), or none (loopback). */
  vipMode: "ip" | "none";
  /** Interface carrying the reset-path LAN in a node's namespace (netns). */
  resetPathDev: string;
  duplex: Record<LabNode, Endpoint>;
  /** Interface of the duplex LAN in a node's namespace (netns). */
  duplexDev: string;
  /** Where the simulators listen (BMCs, PDU, ESXi host). */
  simsAddress: string;
  /** One UDP port per HA-monitor cluster. */
  clusterPorts: Record<string, number>;
}

export const NS_PREFIX = "hcl";
export const NETNS = {
  rpSubnet: "10.78.1",
  mgSubnet: "10.78.2",
  dxSubnet: "10.78.3",
  vipHost: 100,
  simsHost: 10,
  resetPathPort: 30000,
  duplexPort: 5002,
  firstClusterPort: 20001,
} as const;

/** A short stable id of a lab directory: two labs (a test and the demo) never share namespaces. */
export function labId(dir: string): string {
  return createHash("sha256").update(dir).digest("hex").slice(0, 6);
}

export function netnsNames(dir: string): NetnsNames {
  const prefix = `${NS_PREFIX}-${labId(dir)}`;
  return { prefix, nodes: { HACON1: `${prefix}-n1`, HACON2: `${prefix}-n2` }, lab: `${prefix}-lab` };
}

/** The lab id in a namespace name of ours ("hcl-1a2b3c-n1" -> "1a2b3c"), else undefined. */
export function labIdOfNamespace(name: string): string | undefined {
  return new RegExp(`^${NS_PREFIX}-([0-9a-f]{6})-`).exec(name)?.[1];
}

export function netnsTopology(dir: string, clusters: readonly string[]): PairTopology {
  const { rpSubnet, dxSubnet, mgSubnet } = NETNS;
  return {
    mode: "netns",
    netns: netnsNames(dir),
    resetPath: { addr: `${rpSubnet}.${NETNS.vipHost}`, prefixLength: 24, port: NETNS.resetPathPort },
    vipMode: "ip",
    resetPathDev: "rp0",
    duplex: {
      HACON1: { addr: `${dxSubnet}.1`, port: NETNS.duplexPort },
      HACON2: { addr: `${dxSubnet}.2`, port: NETNS.duplexPort },
    },
    duplexDev: "dx0",
    simsAddress: `${mgSubnet}.${NETNS.simsHost}`,
    clusterPorts: Object.fromEntries(clusters.map((c, i) => [c, NETNS.firstClusterPort + i])),
  };
}

export function loopbackTopology(ports: {
  resetPath: number;
  duplex: number;
  clusters: Record<string, number>;
}): PairTopology {
  return {
    mode: "loopback",
    resetPath: { addr: "127.0.77.1", prefixLength: 8, port: ports.resetPath },
    vipMode: "none",
    resetPathDev: "lo",
    duplex: {
      HACON1: { addr: "127.0.77.41", port: ports.duplex },
      HACON2: { addr: "127.0.77.42", port: ports.duplex },
    },
    duplexDev: "lo",
    simsAddress: "127.0.0.1",
    clusterPorts: { ...ports.clusters },
  };
}

/** The HA monitor's own address: its loopback address, or the same host number on the reset-path LAN. */
export function monitorAddress(topology: Pick<PairTopology, "mode">, s: Pick<LabSystem, "address">): string {
  if (topology.mode === "loopback") return s.address;
  return `${NETNS.rpSubnet}.${s.address.split(".")[3]}`;
}

/** A node's physical addresses in netns mode: reset-path LAN, management LAN, duplex LAN. */
export function nodeAddresses(node: LabNode): { rp: string; mg: string; dx: string } {
  const host = LAB_NODES.indexOf(node) + 1;
  return {
    rp: `${NETNS.rpSubnet}.${host}`,
    mg: `${NETNS.mgSubnet}.${host}`,
    dx: `${NETNS.dxSubnet}.${host}`,
  };
}

export type NetnsStep =
  | { op: "namespace"; ns: string }
  | { op: "bridge"; ns: string; bridge: string; addrs: string[] }
  | { op: "attach"; switchNs: string; bridge: string; ns: string; ifName: string; addr: string }
  | { op: "link"; a: string; b: string; ifA: string; ifB: string; addrA: string; addrB: string };

/**
 * What `lab up` creates, in order: the namespaces, the two bridges in the lab namespace (the
 * lab's own addresses on them: the simulators on the management LAN, one address per HA
 * monitor on the reset-path LAN), each node attached to both, and the duplex veth.
 */
export function netnsPlan(
  topology: PairTopology,
  monitors: readonly Pick<LabSystem, "address">[],
): NetnsStep[] {
  const names = topology.netns;
  if (!names) return [];
  const steps: NetnsStep[] = [
    { op: "namespace", ns: names.lab },
    ...LAB_NODES.map((n) => ({ op: "namespace" as const, ns: names.nodes[n] })),
    {
      op: "bridge",
      ns: names.lab,
      bridge: "br-rp",
      addrs: [...new Set(monitors.map((m) => `${monitorAddress(topology, m)}/24`))],
    },
    { op: "bridge", ns: names.lab, bridge: "br-mg", addrs: [`${topology.simsAddress}/24`] },
  ];
  for (const n of LAB_NODES) {
    const a = nodeAddresses(n);
    steps.push(
      {
        op: "attach",
        switchNs: names.lab,
        bridge: "br-rp",
        ns: names.nodes[n],
        ifName: topology.resetPathDev,
        addr: `${a.rp}/24`,
      },
      {
        op: "attach",
        switchNs: names.lab,
        bridge: "br-mg",
        ns: names.nodes[n],
        ifName: "mg0",
        addr: `${a.mg}/24`,
      },
    );
  }
  steps.push({
    op: "link",
    a: names.nodes.HACON1,
    b: names.nodes.HACON2,
    ifA: topology.duplexDev,
    ifB: topology.duplexDev,
    addrA: `${nodeAddresses("HACON1").dx}/24`,
    addrB: `${nodeAddresses("HACON2").dx}/24`,
  });
  return steps;
}

/** One line per namespace for `lab up` to print. */
export function describeNetns(topology: PairTopology): string[] {
  const names = topology.netns;
  if (!names) return [];
  const lines = LAB_NODES.map((n) => {
    const a = nodeAddresses(n);
    return `  ${names.nodes[n].padEnd(16)} ${n}: ${topology.resetPathDev} ${a.rp}/24 (reset-path LAN, VIP ${topology.resetPath.addr} when active), mg0 ${a.mg}/24, ${topology.duplexDev} ${a.dx}/24 (duplex veth)`;
  });
  lines.push(
    `  ${names.lab.padEnd(16)} lab: bridges br-rp (HA monitors ${NETNS.rpSubnet}.11-52) and br-mg (simulators ${topology.simsAddress})`,
  );
  return lines;
}
