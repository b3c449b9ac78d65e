// What `lab up` asks the simulator supervisor for (sims-spec.json), what the supervisor reports
// once everything answers (sims.json), and the records it keeps for drills (JSON lines).
import { existsSync, readFileSync } from "node:fs";

export interface SimsSpec {
  bmcs: { name: string; nmi: boolean }[];
  /** Where every simulator listens: 127.0.0.1, or the management LAN inside the lab's namespace. */
  address: string;
  /** The lab's namespace the supervisor runs in (netns mode): ipmi_sim is told so. */
  netns?: string;
  pduOutlets: number;
  guests: string[];
  esxiUser: string;
  simsInfo: string;
  pduRecords: string;
  esxiRecords: string;
}

/** Secrets reach the supervisor through its environment only. */
export const SIMS_ENV = {
  bmcPassword: "HACONN_LAB_BMC_PASSWORD",
  esxiPassword: "HACONN_LAB_ESXI_PASSWORD",
  community: "HACONN_LAB_PDU_COMMUNITY",
} as const;

export interface SimsBmcInfo {
  addr: string;
  port: number;
  /** ipmi_sim's pid, leader of its own process group. */
  pid: number;
  dir: string;
  account: string;
  nmi: boolean;
}

export interface SimsInfo {
  supervisorPid: number;
  bmcs: Record<string, SimsBmcInfo>;
  pdu: { address: string; port: number; firmware: string };
  esxi: { address: string; port: number; fingerprint: string; user: string };
}

export interface PduRecord {
  outlet: number;
  from: "on" | "off";
  to: "on" | "off";
  at: number;
}

export interface EsxiRecord {
  at: number;
  action: "on" | "off" | "reset" | "nmi";
  name: string;
}

export function readJsonLines<T>(path: string): T[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as T);
}
