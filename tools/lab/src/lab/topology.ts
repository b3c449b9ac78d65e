// The lab's installation, as data: two management servers, the managed servers, the PDU and
// the ESXi host feeding them, and the HA monitors (one per system) grouped in clusters. A
// cluster is the set of monitors sharing one reset-path port (that is how the connector knows
// whom to tell about a reset). Addresses: 127.0.77.0/24, apart from what the tests use.

export type LabClusterName = "mutual" | "one-to-one" | "guests" | "group";

export interface LabServer {
  name: string;
  /** One line for the topology table. */
  role: string;
  /** `cluster=on`: the connector keeps the members of a mutual pair from resetting each other. */
  cluster?: boolean;
  /** PDU outlets feeding it (iPDU control on: the hardware reset falls back to cutting them). */
  outlets?: number[];
  /** Guests on this server's ESXi (a virtual server). */
  guests?: string[];
}

export interface LabSystem {
  subsystem: number;
  system: string;
  vm?: string;
  /** The monitor's own loopback address. */
  address: string;
  cluster: LabClusterName;
  pair?: number;
}

/** The node that runs today (pair mode adds HACON2's haconnd). */
export const LAB_NODE = "HACON1";
export const LAB_MSERVERS = ["HACON1", "HACON2"] as const;
export const LAB_RESETPATH_ADDR = "127.0.77.1";
export const LAB_PDU_RECOVERY_SEC = 5;
export const LAB_PDU_TIMEOUT_SEC = 5;
/** Hardware reset this long after the NMI without a dump notice (leaves a loaded machine time to send it). */
export const LAB_HISPEED_MS = 2000;

export const LAB_SERVERS: readonly LabServer[] = [
  { name: "PSERVER1", role: "mutual pair with PSERVER2, cluster management on", cluster: true },
  { name: "PSERVER2", role: "mutual pair with PSERVER1, cluster management on", cluster: true },
  { name: "PSERVER3", role: "1:1 pair, active node" },
  { name: "PSERVER4", role: "1:1 pair, standby node" },
  { name: "PSERVER5", role: "virtual server: ESXi with guests VM1 and VM2", guests: ["VM1", "VM2"] },
  { name: "PSERVER6", role: "fed by PDU outlets 1 and 2 (iPDU fallback on)", outlets: [1, 2] },
  { name: "PSERVER7", role: "cluster of three with PSERVER6 and PSERVER8" },
  { name: "PSERVER8", role: "cluster of three with PSERVER6 and PSERVER7" },
];

export const LAB_SYSTEMS: readonly LabSystem[] = [
  { subsystem: 10001, system: "PSERVER1", address: "127.0.77.11", cluster: "mutual", pair: 10002 },
  { subsystem: 10002, system: "PSERVER2", address: "127.0.77.12", cluster: "mutual", pair: 10001 },
  { subsystem: 10003, system: "PSERVER3", address: "127.0.77.13", cluster: "one-to-one" },
  { subsystem: 10004, system: "PSERVER4", address: "127.0.77.14", cluster: "one-to-one" },
  { subsystem: 10051, system: "PSERVER5", vm: "VM1", address: "127.0.77.51", cluster: "guests" },
  { subsystem: 10052, system: "PSERVER5", vm: "VM2", address: "127.0.77.52", cluster: "guests" },
  { subsystem: 10006, system: "PSERVER6", address: "127.0.77.16", cluster: "group" },
  { subsystem: 10007, system: "PSERVER7", address: "127.0.77.17", cluster: "group" },
  { subsystem: 10008, system: "PSERVER8", address: "127.0.77.18", cluster: "group" },
];

export const LAB_CLUSTERS: readonly LabClusterName[] = ["mutual", "one-to-one", "guests", "group"];

export function labSystem(subsystem: number): LabSystem {
  const s = LAB_SYSTEMS.find((x) => x.subsystem === subsystem);
  if (!s) throw new Error(`no lab system ${subsystem}`);
  return s;
}

export function clusterSystems(cluster: LabClusterName): LabSystem[] {
  return LAB_SYSTEMS.filter((s) => s.cluster === cluster);
}

/** "PSERVER3" or "PSERVER5/VM1". */
export function systemLabel(s: LabSystem): string {
  return s.vm ? `${s.system}/${s.vm}` : s.system;
}

/** Every BMC the lab simulates: management servers (no NMI needed) and managed servers. */
export function labBmcs(): { name: string; nmi: boolean }[] {
  return [
    ...LAB_MSERVERS.map((name) => ({ name, nmi: false })),
    ...LAB_SERVERS.map((s) => ({ name: s.name, nmi: true })),
  ];
}
