// The results of haconnd's control ops as the CLI reads them (control-contract). The rows mirror
// packages/core/src/views.ts; they are declared here so the CLI does not depend on the engine.
// Formatters treat every field as possibly absent and print the manual's placeholder instead.

export type Link = "OK" | "NG" | "--";

export interface MserverStatusRow {
  name: string;
  /** iLO IP of the management server. */
  addr: string;
  role: "active" | "standby" | "---";
  status: "normal" | "poff" | "reset" | "error" | "--";
  bmc: Link;
  ipdu: Link;
}

export interface ServerStatusRow {
  name: string;
  power: "pon" | "poff" | "--";
  bmc: Link;
  ipdu: Link;
  vmware: Link;
}

export interface StatusResult {
  node?: string;
  mode?: string;
  link?: Link;
  /** "insecure" when the daemon serves the reset path without resetpath.key. */
  resetPathAuth?: "key" | "insecure";
  mservers?: MserverStatusRow[];
  servers?: ServerStatusRow[];
}

export interface MonitorRow {
  name: string;
  address: string;
  status: string;
  ipAddress: string;
  port: string;
  pair: string;
}

export interface HamonitorResult {
  physical?: MonitorRow[];
  virtual?: { server: string; guests: MonitorRow[] }[];
}

export interface PduRow {
  addr: string;
  model?: string;
  firmware?: string;
  link?: Link;
}

export interface PduStatus {
  addr: string;
  key?: string;
  link?: Link;
  outlets?: { outlet: number; status: "Enable" | "Disable" | "--"; pm: "P" | "M" | "--"; server: string }[];
}

export interface IpduResult {
  pdus?: PduRow[];
  status?: PduStatus[];
}

export interface OperationResult {
  message?: string;
}

/** haconnact reload's summary (manual §6.8 "HA monitor connector reload"). */
export interface ReloadSummary {
  /** completed. (true) or failed. (false) */
  completed: boolean;
  subjects: {
    subject: "Management Server" | "Physical Server" | "iPDU";
    success: number;
    total: number;
    result: "Success" | "Failed";
  }[];
  pservers: { name: string; operation: "Add" | "Delete" | "Change"; result: "Success" | "Error" }[];
  pdus: { addr: string; operation: "Add" | "Delete"; result: "Success" | "Error" }[];
  mservers: { name: string; result: "Change" | "No Change" }[];
}

export interface ReloadResult extends OperationResult {
  summary?: ReloadSummary;
}

/** haconndump's snapshot: any JSON; `peerLogs` carries the standby's log files. */
export interface DumpStateResult {
  peerLogs?: { name: string; base64: string }[];
  [key: string]: unknown;
}

export const asObject = <T>(value: unknown): T =>
  (typeof value === "object" && value !== null && !Array.isArray(value) ? value : {}) as T;
