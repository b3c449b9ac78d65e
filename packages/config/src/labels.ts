// Operator words for a place in the configuration: "managed server PSERVER1, addr" instead of
// the JSON Pointer /pservers/0/bmc/addr. Every message the rules write names objects this way,
// and the CLI prints issues through describeIssue(). Works on any value (the schema may not
// have matched yet), so it never trusts the shape.

/** The argument an operator types for a stored field (the manual's key names). */
const FIELD: Record<string, string> = {
  "bmc/addr": "addr",
  "bmc/port": "addr (port)",
  "bmc/account": "account",
  "bmc/password": "password",
  "bmc/cipher": "cipher",
  timeoutSec: "timeout",
  recoveryTimeSec: "recoverytime",
  ipdusd: "ipdusd",
  cluster: "cluster",
  name: "name",
  "mlan/addr": "mlan addr",
  "mlan/port": "mlan port",
  "vserver/addr": "vserver addr",
  "vserver/port": "vserver port",
  "vserver/account": "vserver account",
  "vserver/password": "vserver password",
  "vserver/enabled": "VMware",
  "vserver/hostKey": "vserver hostkey",
  outlets: "ipduadd",
  "outlets/pdu": "ipduadd addr",
  "outlets/outlet": "ipduadd concent",
  monitorAddrs: "hamonitor allow",
  "monitorAddrs/*": "hamonitor allow",
  addr: "addr",
  port: "port",
  mask: "addr (mask)",
  prefixLength: "addr (mask)",
  insecure: "insecure",
  model: "model",
  profile: "profile",
  key: "addr",
  community: "name",
  enabled: "hispeed",
  resetTimeMs: "resettime",
};

const SECTION: Record<string, string> = {
  resetpath: "resetpath",
  snmp: "snmp",
  hispeed: "hispeed",
  kdump: "kdump",
  schemaVersion: "schemaVersion",
};

const record = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/** "management server HACON1", "managed server PSERVER1", "PDU 127.0.0.1:1161", "resetpath". */
export function objectLabel(config: unknown, path: string): string {
  const [section, index] = path.split("/").filter((p) => p !== "");
  if (section === undefined) return "configuration";
  const list = record(config)?.[section];
  const item = Array.isArray(list) && index !== undefined ? record(list[Number(index)]) : undefined;
  const name = typeof item?.name === "string" && item.name !== "" ? ` ${item.name}` : "";
  if (section === "mservers") {
    return index === undefined
      ? "management servers"
      : `management server${name || ` #${Number(index) + 1}`}`;
  }
  if (section === "pservers") {
    return index === undefined ? "managed servers" : `managed server${name || ` #${Number(index) + 1}`}`;
  }
  if (section === "pdus") {
    const key = typeof item?.key === "string" ? item.key : typeof item?.addr === "string" ? item.addr : "";
    return index === undefined ? "PDUs" : `PDU ${key || `#${Number(index) + 1}`}`;
  }
  return SECTION[section] ?? section;
}

/** The operator's argument for the field at `path` ("addr", "timeout", "vserver addr"); "" for the object. */
export function fieldLabel(path: string): string {
  const parts = path.split("/").filter((p) => p !== "");
  const inList = ["mservers", "pservers", "pdus"].includes(parts[0] ?? "");
  const rest = parts.slice(inList ? 2 : 1).map((p) => (/^\d+$/.test(p) ? "*" : p));
  if (rest.length === 0) return "";
  const key = rest.join("/");
  const noIndex = rest.filter((p) => p !== "*").join("/");
  return FIELD[key] ?? FIELD[noIndex] ?? rest.at(-1) ?? "";
}

/** "managed server PSERVER1 addr" — the object and field an issue is about. */
export function placeLabel(config: unknown, path: string): string {
  const field = fieldLabel(path);
  const object = objectLabel(config, path);
  return field === "" ? object : `${object} ${field}`;
}

/** One issue in operator words: `managed server PSERVER1 addr: 127.0.0.31 is already …`. */
export function describeIssue(
  config: unknown,
  issue: { path: string; message: string; place?: string },
): string {
  return `${issue.place ?? placeLabel(config, issue.path)}: ${issue.message}`;
}
