// What a Pacemaker node knows about itself for haconn: its registration as ocf:haconn:monitor
// keeps it (a JSON file in /run, rewritten atomically after every CHECK-REPLY and ATTENTION), the
// corosync nodelist (a node's subsystem number is its corosync nodeid) and the node → system
// name map (pcmk_host_map syntax). Pure parsing here; the callers read and write the files.
import { FenceError } from "./errors.js";

export const STATE_VERSION = 1;

export interface MonitorAttention {
  atMs: number;
  eventId: number;
  state: "DUMP" | "REBOOT" | "POFF";
  targetSubsystem: number;
  targetSystemName: string;
}

export interface MonitorState {
  version: typeof STATE_VERSION;
  node: string;
  subsystem: number;
  system: string;
  clusterPort: number;
  connector: { ip: string; port: number };
  intervalSec: number;
  pairSubsystem: number;
  pid: number;
  startedAtMs: number;
  /** The last CHECK-REPLY, or null before the first one. */
  lastReply: {
    atMs: number;
    role: string;
    status: string;
    blockers: string[];
    responder: string;
  } | null;
  /** The last ATTENTIONs received (newest last, at most 32). */
  attentions: MonitorAttention[];
}

export function parseMonitorState(text: string, path: string): MonitorState {
  let v: MonitorState;
  try {
    v = JSON.parse(text) as MonitorState;
  } catch (cause) {
    throw new FenceError("FENCE_NOT_REGISTERED", `Failed: ${path} is not valid JSON`, { cause });
  }
  if (
    v?.version !== STATE_VERSION ||
    !Number.isInteger(v.subsystem) ||
    !Number.isInteger(v.clusterPort) ||
    typeof v.system !== "string"
  )
    throw new FenceError("FENCE_NOT_REGISTERED", `Failed: ${path} is not an ocf:haconn:monitor state file`);
  return v;
}

/** True while the registration is live: a CHECK-REPLY within 3 check periods. */
export function registrationLive(s: MonitorState, nowMs: number): boolean {
  return s.lastReply !== null && nowMs - s.lastReply.atMs <= 3 * s.intervalSec * 1000 + 1000;
}

export interface CorosyncNodeEntry {
  name: string;
  nodeid: number;
}

/** The `nodelist { node { name: … nodeid: … } }` entries of a corosync.conf. */
export function parseCorosyncNodelist(text: string): CorosyncNodeEntry[] {
  const clean = text.replace(/#.*$/gm, "");
  const list = /nodelist\s*\{([\s\S]*?)\n\}/m.exec(clean)?.[1] ?? "";
  const nodes: CorosyncNodeEntry[] = [];
  for (const m of list.matchAll(/node\s*\{([^{}]*)\}/g)) {
    const body = m[1]!;
    const name = /\bname\s*:\s*(\S+)/.exec(body)?.[1];
    const id = /\bnodeid\s*:\s*(\d+)/.exec(body)?.[1];
    if (name && id) nodes.push({ name, nodeid: Number(id) });
  }
  return nodes;
}

/** pcmk_host_map syntax: `node1:plug1;node2:plug2` (`,`, `;` or blanks between entries). */
export function parseHostMap(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const entry of text.split(/[;,\s]+/)) {
    if (entry === "") continue;
    const i = entry.indexOf(":");
    if (i <= 0 || i === entry.length - 1)
      throw new FenceError("FENCE_USAGE", `Failed: host map entry '${entry}' is not node:system`);
    map.set(entry.slice(0, i), entry.slice(i + 1));
  }
  return map;
}

/**
 * The target of a fence: its haconn system (the plug) and subsystem number (its corosync nodeid,
 * looked up by the node name Pacemaker passes, else by a node named like the plug).
 */
export function resolveTarget(
  plug: string | undefined,
  nodename: string | undefined,
  nodelist: CorosyncNodeEntry[],
): { system: string; subsystem: number; node: string } {
  const node = nodename ?? plug;
  if (!node)
    throw new FenceError("FENCE_USAGE", "Failed: You have to enter plug number or machine identification");
  const entry =
    nodelist.find((n) => n.name === node) ?? (plug ? nodelist.find((n) => n.name === plug) : undefined);
  if (!entry)
    throw new FenceError(
      "FENCE_TARGET",
      `Failed: node '${node}' is not in the corosync nodelist: its nodeid is its haconn subsystem number`,
    );
  const system = plug ?? entry.name;
  return { system, subsystem: entry.nodeid, node: entry.name };
}
