// Derived views of the state: displayed status of a system, link states, resettability (the
// CHECK reply's KAMN624-E causes). Pure functions of the state.

import type { ResolvedConfig } from "@haconn/config";

export type Server = ResolvedConfig["pservers"][number];
import type { Tx } from "./tx.js";
import type {
  LinkState,
  MonitorRecord,
  MonitorStatus,
  ResettabilityReason,
  ServerRuntime,
  SharedState,
} from "./types.js";

export function isVirtual(server: Pick<Server, "vserver">): boolean {
  return server.vserver?.enabled === true;
}

export function serverRuntime(shared: SharedState, name: string): ServerRuntime {
  return shared.servers[name] ?? { name, power: "--", bmc: "--", esxi: "--" };
}

/** Updates a server's runtime; emits a delta only when something changed. */
export function patchServer(tx: Tx, name: string, patch: Partial<Omit<ServerRuntime, "name">>): void {
  const current = serverRuntime(tx.shared, name);
  const next = { ...current, ...patch };
  if (next.power === current.power && next.bmc === current.bmc && next.esxi === current.esxi) return;
  tx.apply({ op: "server", server: next });
}

export function patchPduLink(tx: Tx, pdu: string, link: LinkState): void {
  if (tx.shared.pdus[pdu] === link) return;
  tx.apply({ op: "pdu", pdu, link });
}

/** Link to the PDUs feeding a server: `--` when iPDU control is off or nothing is known yet. */
export function ipduLink(shared: SharedState, server: Server): LinkState {
  if (!server.ipdusd || server.outlets.length === 0) return "--";
  const links = [...new Set(server.outlets.map((o) => o.pdu))].map((p) => shared.pdus[p] ?? "--");
  if (links.includes("NG")) return "NG";
  if (links.every((l) => l === "OK")) return "OK";
  return "--";
}

export function esxiLink(shared: SharedState, server: Server): LinkState {
  return isVirtual(server) ? serverRuntime(shared, server.name).esxi : "--";
}

/** The link the system is reset through: BMC for a physical system, ESXi for a guest. */
function resetLink(shared: SharedState, record: MonitorRecord): LinkState {
  const rt = serverRuntime(shared, record.system);
  return record.vmName === null ? rt.bmc : rt.esxi;
}

/** `haconnshow hamonitor` status of a registered system. */
export function monitorStatus(shared: SharedState, record: MonitorRecord): MonitorStatus {
  if (shared.jobs[record.key]) return "reset";
  if (record.status === "normal" && resetLink(shared, record) === "NG") return "error";
  return record.status;
}

/**
 * Why the system cannot be reset now (empty = resettable). A link never polled yet (`--`)
 * is not a reason: the first poll runs at start.
 */
export function resettabilityReasons(
  config: ResolvedConfig,
  shared: SharedState,
  record: Pick<MonitorRecord, "system" | "vmName">,
): ResettabilityReason[] {
  const server = config.pservers.find((s) => s.name === record.system) as Server | undefined;
  if (!server) return [];
  const rt = serverRuntime(shared, server.name);
  const reasons: ResettabilityReason[] = [];
  if (record.vmName === null) {
    if (rt.bmc === "NG") reasons.push("BMC_NG");
    if (ipduLink(shared, server) === "NG") reasons.push("IPDU_NG");
  } else if (rt.esxi === "NG") {
    reasons.push("ESXI_NG");
  }
  return reasons;
}
