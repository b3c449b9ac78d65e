// fence_haconn's actions (issue 18 §3). `reboot` succeeds only when the connector answers that
// the node is down (RESET-RESULT DUMP or POFF); FAIL, ERROR and silence fail with the reason on
// standard error. `off`/`on` are refused (haconn resets, it never leaves a node off or powers
// one on). `status`, `monitor`, `list` and `list-status` answer from this node's registration,
// which ocf:haconn:monitor keeps (the reset path has no power-state query: docs/pacemaker.md).
// All I/O comes through FenceDeps, so the unit tests run every branch without sockets.
import type { KeyRing, ResetAcceptedBody, ResetResultBody } from "@haconn/protocol";
import { EC_GENERIC_ERROR, EC_OK, EC_STATUS_OFF, FenceError } from "./errors.js";
import {
  type MonitorState,
  parseCorosyncNodelist,
  parseMonitorState,
  registrationLive,
  resolveTarget,
} from "./local-state.js";
import { fenceMetadata } from "./metadata.js";
import { type FenceOptions, type ParsedOptions, requireDevice } from "./options.js";
import { versionLine } from "../build-info.js";

export interface Endpoint {
  address: string;
  port: number;
}

/** What the reset path answered: a RESET-RESULT, or nothing within the bound. */
export type ResetOutcome =
  | { kind: "result"; result: ResetResultBody; sends: number; accepted?: boolean }
  | { kind: "silent"; sends: number; accepted: ResetAcceptedBody | undefined };

export interface ResetCall {
  connector: Endpoint;
  key: KeyRing;
  senderId: number;
  clusterPort: number;
  target: { subsystem: number; system: string };
  /** Bound of the whole request: sends and result (power_timeout). */
  timeoutMs: number;
  /**
   * The RESET's FENCE flag (docs/protocol.md §4.3), always true for fence_haconn: the reset starts
   * even when the connector still counts the node as reset (dump) or off (poff) — a node that was
   * fenced, rebooted and rejoined before its ocf:haconn:monitor checked in is reset again, never
   * reported down at once while it runs.
   */
  fence: true;
  log: (line: string) => void;
}

export interface FenceDeps {
  out(text: string): void;
  err(text: string): void;
  /** Throws when the file cannot be read. */
  readFile(path: string): string;
  /** The reset-path key ring; throws (with the reason, never the key) when the file is unfit. */
  loadKey(path: string): KeyRing;
  appendFile(path: string, text: string): void;
  now(): number;
  sleep(ms: number): Promise<void>;
  reset(call: ResetCall): Promise<ResetOutcome>;
  /** For --version (HACONN_PACKAGE_VERSION_FILE in the RPM); defaults to process.env. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** `fence_haconn --help` (also the DESCRIPTION of fence_haconn(8)). */
export const USAGE = `Usage:
\tfence_haconn [options]
Options:
   -o, --action=[action]          Action: reboot (default), status, monitor, list, list-status,
                                  metadata, validate-all (off and on are refused)
   -a, --ip=[ip]                  Reset-path address of the connector pair (VIP)
   -u, --ipport=[port]            Reset-path UDP port of the connector
   -n, --plug=[id]                The node's system name as haconn knows it
   --nodename=[name]              The cluster node to fence (Pacemaker passes it)
   -k, --key-file=[path]          Reset-path key file
   --state-file=[path]            This node's registration (ocf:haconn:monitor)
   --corosync-conf=[path]         corosync.conf (nodeid = subsystem number)
   --delay=[seconds]              Wait X seconds before fencing is started
   --power-timeout=[seconds]      Wait X seconds for the connector's reset result
   -v, --verbose                  Verbose mode
   -D, --debug-file=[debugfile]   Debugging to output file
   -h, --help                     Display this help and exit
   -V, --version                  Display version information and exit
`;

export async function runFenceAgent(parsed: ParsedOptions, deps: FenceDeps): Promise<number> {
  const o = parsed.options;
  const log = (line: string) => {
    const stamped = `${new Date(deps.now()).toISOString()} fence_haconn ${line}`;
    if (o.verbose > 0) deps.err(`${stamped}\n`);
    if (o.debugFile) {
      try {
        deps.appendFile(o.debugFile, `${stamped}\n`);
      } catch {
        // fence-agents go on without their debug file
      }
    }
  };
  for (const w of parsed.warnings) deps.err(`${w}\n`);
  if (o.help) {
    deps.out(USAGE);
    return EC_OK;
  }
  if (o.version) {
    deps.out(`${versionLine("fence_haconn", deps.env ?? process.env)}\n`);
    return EC_OK;
  }
  try {
    return await act(o, deps, log);
  } catch (e) {
    if (e instanceof FenceError) {
      log(`${e.code}: ${e.message}`);
      deps.err(`${e.message}\n`);
      return EC_GENERIC_ERROR;
    }
    throw e;
  }
}

async function act(o: FenceOptions, deps: FenceDeps, log: (l: string) => void): Promise<number> {
  switch (o.action) {
    case "metadata":
      deps.out(fenceMetadata());
      return EC_OK;
    case "off":
      throw new FenceError(
        "FENCE_REFUSED",
        "Failed: fence_haconn does not power nodes off: haconn resets them (NMI, hardware reset, PDU cut) " +
          "and they come back. Keep stonith-action=reboot (the default), or set pcmk_off_action=reboot on this " +
          "stonith device so that an off request resets the node.",
      );
    case "on":
      throw new FenceError(
        "FENCE_REFUSED",
        "Failed: fence_haconn does not power nodes on: a node reset through haconn restarts by itself " +
          "(do not configure this device for unfencing).",
      );
    case "validate-all": {
      requireDevice(o);
      loadKey(o, deps);
      if (o.plug || o.nodename) resolveTarget(o.plug, o.nodename, nodelist(o, deps));
      return EC_OK;
    }
    case "monitor": {
      requireDevice(o);
      loadKey(o, deps);
      const s = liveState(o, deps);
      if (s.lastReply?.role !== "active")
        throw new FenceError(
          "FENCE_SILENT",
          `Failed: the connector answered as ${s.lastReply?.role}, not active`,
        );
      log(`monitor: registered as ${s.system} (${s.subsystem}), answered by ${s.lastReply.responder}`);
      return EC_OK;
    }
    case "status": {
      requireDevice(o);
      const s = liveState(o, deps);
      const t = resolveTarget(o.plug, o.nodename, nodelist(o, deps));
      const power = powerOf(s, t.subsystem, t.system);
      deps.out(`Status: ${power}\n`);
      return power === "OFF" ? EC_STATUS_OFF : EC_OK;
    }
    case "list":
    case "list-status": {
      requireDevice(o);
      const s = o.action === "list-status" ? liveState(o, deps) : undefined;
      for (const n of nodelist(o, deps)) {
        const power = s ? `,${powerOf(s, n.nodeid, undefined)}` : "";
        deps.out(`${n.name},subsystem ${n.nodeid}${power}\n`);
      }
      return EC_OK;
    }
    case "reboot":
      return reboot(o, deps, log);
  }
}

async function reboot(o: FenceOptions, deps: FenceDeps, log: (l: string) => void): Promise<number> {
  const device = requireDevice(o);
  const key = loadKey(o, deps);
  const target = resolveTarget(o.plug, o.nodename, nodelist(o, deps));
  const self = readState(o, deps);
  if (self.subsystem === target.subsystem)
    throw new FenceError(
      "FENCE_TARGET",
      `Failed: ${target.node} is this node: haconn does not let a node reset itself`,
    );
  if (o.delaySec > 0) {
    log(`delay ${o.delaySec} s before fencing`);
    await deps.sleep(o.delaySec * 1000);
  }
  log(
    `RESET ${target.system} (subsystem ${target.subsystem}, node ${target.node}) via ${device.ip}:${device.ipport} as ${self.system} (${self.subsystem}), cluster port ${self.clusterPort}`,
  );
  const call: ResetCall = {
    connector: { address: device.ip, port: device.ipport },
    key,
    senderId: self.subsystem,
    clusterPort: self.clusterPort,
    target: { subsystem: target.subsystem, system: target.system },
    timeoutMs: o.powerTimeoutSec * 1000,
    fence: true,
    log,
  };
  const outcome = await deps.reset(call);
  if (outcome.kind === "silent") {
    throw new FenceError(
      "FENCE_SILENT",
      outcome.accepted
        ? `Failed: haconn accepted the reset of ${target.system} (phase ${outcome.accepted.phase}) but gave no result within ${o.powerTimeoutSec} s`
        : `Failed: the connector at ${device.ip}:${device.ipport} did not answer (${outcome.sends} RESET sends; a haconnd older than the RESET FENCE flag drops fence_haconn's requests unanswered)`,
    );
  }
  // With FENCE every DUMP / POFF is the end of a reset carried out for this request (or one it
  // joined while under way), never the "already reset" status answer: no second request needed.
  const r = outcome.result;
  log(`RESET-RESULT ${r.result}/${r.detail} for ${target.system}`);
  if (r.result === "DUMP") {
    deps.out("Success: Rebooted\n");
    return EC_OK;
  }
  if (r.result === "POFF") {
    deps.out("Success: Rebooted (haconn found the node powered off)\n");
    return EC_OK;
  }
  throw new FenceError("FENCE_FAILED", failureText(r, target.system, self));
}

export function failureText(r: ResetResultBody, target: string, self: { system: string }): string {
  const why: Record<string, string> = {
    resetFailed: `haconn could not reset ${target}: no hardware-reset acknowledgement and no PDU cut possible`,
    requesterBeingReset: `this node (${self.system}) is itself being reset by haconn: it lost the fence race against ${target}`,
    notActive: "the connector that answered is not the active one (a role change is under way)",
    invalidRequester: `haconn does not know this node (${self.system}) as a requester: is ocf:haconn:monitor running and registered from this address?`,
    requesterResetComplete: `this node (${self.system}) was itself reset and has not returned to normal at haconn`,
    unknownTarget: `haconn does not know ${target} in this cluster (check pcmk_host_map and haconnsetup pserver)`,
  };
  return `Failed: ${why[r.detail] ?? `haconn answered ${r.result}`} (RESET-RESULT ${r.result}/${r.detail})`;
}

function loadKey(o: FenceOptions, deps: FenceDeps): KeyRing {
  try {
    return deps.loadKey(o.keyFile);
  } catch (cause) {
    throw new FenceError("FENCE_KEY", `Failed: reset-path key file: ${(cause as Error).message}`, { cause });
  }
}

function nodelist(o: FenceOptions, deps: FenceDeps) {
  let text: string;
  try {
    text = deps.readFile(o.corosyncConf);
  } catch (cause) {
    throw new FenceError("FENCE_TARGET", `Failed: cannot read ${o.corosyncConf}`, { cause });
  }
  return parseCorosyncNodelist(text);
}

function readState(o: FenceOptions, deps: FenceDeps): MonitorState {
  let text: string;
  try {
    text = deps.readFile(o.stateFile);
  } catch (cause) {
    throw new FenceError(
      "FENCE_NOT_REGISTERED",
      `Failed: this node is not registered with haconn (no ${o.stateFile}): run the ocf:haconn:monitor clone on every node`,
      { cause },
    );
  }
  return parseMonitorState(text, o.stateFile);
}

function liveState(o: FenceOptions, deps: FenceDeps): MonitorState {
  const s = readState(o, deps);
  if (!registrationLive(s, deps.now()))
    throw new FenceError(
      "FENCE_SILENT",
      `Failed: the connector has not answered this node's CHECK for ${s.intervalSec * 3} s (last: ${
        s.lastReply ? new Date(s.lastReply.atMs).toISOString() : "never"
      })`,
    );
  return s;
}

/** OFF when haconn's last notice about the target was POFF (power off detected), else ON. */
function powerOf(s: MonitorState, subsystem: number, system: string | undefined): "ON" | "OFF" {
  const last = s.attentions
    .filter((a) => a.targetSubsystem === subsystem && (system === undefined || a.targetSystemName === system))
    .at(-1);
  return last?.state === "POFF" ? "OFF" : "ON";
}
