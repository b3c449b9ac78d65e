// The reset engine: `transition(state, event) → [state, effects]`, pure. Every change of the
// replicated state is a versioned delta, published in one `stateChanged` effect per transition
// (last, after the effects that matter for latency: device calls, sends).

import type { ResolvedConfig } from "@haconn/config";
import { handleCommand, onTestResult, onTestTimer } from "./commands.js";
import { DEFAULT_ENGINE_OPTIONS } from "./constants.js";
import { emptySharedState } from "./deltas.js";
import { handleDumpNotice } from "./dump-notice.js";
import { onJobDeviceResult, wakeJob } from "./job.js";
import { onPollResult, onPollTimer, refreshPollRound } from "./power-watch.js";
import { handleCheck } from "./registry.js";
import { handleReset } from "./reset-request.js";
import { onRestoreResult, startRestore } from "./restore.js";
import { RecentIndex, recentFromJson } from "./recent-index.js";
import { isVirtual, patchPduLink, patchServer } from "./status.js";
import { resume } from "./takeover.js";
import { Tx } from "./tx.js";
import type { Effect, EngineEvent, EngineOptions, EngineState, SharedState } from "./types.js";

/**
 * The engine's initial state for a resolved configuration: `options` tune timings and the log's
 * time zone; `shared` resumes from replicated state (a standby that takes over).
 */
export function createEngineState(
  config: ResolvedConfig,
  options: Partial<EngineOptions> = {},
  shared: SharedState = emptySharedState(),
): EngineState {
  return {
    config,
    options: { ...DEFAULT_ENGINE_OPTIONS, ...options },
    // A state read from JSON (a SNAPSHOT, a test) carries `recent` as its list.
    shared:
      shared.recent instanceof RecentIndex ? shared : { ...shared, recent: recentFromJson(shared.recent) },
    local: { pollsInFlight: [], pollRound: [], polling: false, tests: {}, staleUntil: 0 },
  };
}

type DeviceResult = Extract<EngineEvent, { type: "deviceResult" }>;

/** Any answer from a device tells whether its link works ("unsupported", "refused" answered). */
function updateLinks(tx: Tx, ev: DeviceResult): void {
  const answered = ev.ok || ["DEVICE_UNSUPPORTED", "DEVICE_REJECTED", "DEVICE_NOT_FOUND"].includes(ev.code);
  const link = answered ? "OK" : "NG";
  const d = ev.device;
  if (d.type === "bmc") patchServer(tx, d.system, { bmc: link });
  else if (d.type === "guest") patchServer(tx, d.system, { esxi: link });
  else {
    patchPduLink(tx, d.pdu, link);
    if (!ev.ok) return;
    const state = ev.op === "on" ? "on" : ev.op === "off" ? "off" : ev.op === "status" ? ev.power : undefined;
    if (state === undefined) return;
    const key = `${d.pdu}#${d.outlet}`;
    if (tx.shared.outlets[key]?.state !== state) {
      tx.apply({ op: "outlet", outlet: { pdu: d.pdu, outlet: d.outlet, state } });
    }
  }
}

function onTimer(tx: Tx, id: string): void {
  if (onPollTimer(tx, id)) return;
  const [kind, rest] = [id.slice(0, id.indexOf(":")), id.slice(id.indexOf(":") + 1)];
  if (kind === "job") {
    const job = tx.shared.jobs[rest];
    if (job) wakeJob(tx, job);
  } else if (kind === "restore") {
    const restore = tx.shared.restores[rest];
    if (restore && !restore.started) startRestore(tx, restore);
  } else if (kind === "test") {
    onTestTimer(tx, rest);
  }
}

/** New configuration: registrations of servers that are gone (or changed kind) are dropped. */
function reconfigure(tx: Tx, config: ResolvedConfig): void {
  tx.state = { ...tx.state, config };
  for (const m of Object.values(tx.shared.monitors)) {
    if (tx.shared.jobs[m.key]) continue;
    const server = tx.server(m.system);
    if (!server || isVirtual(server) !== (m.vmName !== null)) tx.apply({ op: "monitorRemoved", key: m.key });
  }
  refreshPollRound(tx);
}

function dispatch(tx: Tx, event: EngineEvent): void {
  switch (event.type) {
    case "start": {
      resume(tx, event.stale === true);
      return;
    }
    case "check": {
      handleCheck(tx, event);
      return;
    }
    case "reset": {
      handleReset(tx, event);
      return;
    }
    case "dumpNotice": {
      handleDumpNotice(tx, event);
      return;
    }
    case "timer": {
      onTimer(tx, event.id);
      return;
    }
    case "command": {
      handleCommand(tx, event);
      return;
    }
    case "configChanged": {
      reconfigure(tx, event.config);
      return;
    }
    case "deviceResult":
      updateLinks(tx, event);
      switch (event.tag.for) {
        case "job": {
          onJobDeviceResult(tx, event);
          return;
        }
        case "restore": {
          onRestoreResult(tx, event);
          return;
        }
        case "poll": {
          onPollResult(tx, event);
          return;
        }
        case "test": {
          onTestResult(tx, event);
          return;
        }
      }
  }
}

/**
 * The whole reset engine, as a pure function: one event (a CHECK, a RESET, a driver result, a timer
 * expiry, a command) in, the next state and the effects to carry out out. No I/O, no clock reads.
 */
export function transition(state: EngineState, event: EngineEvent): [EngineState, Effect[]] {
  const tx = new Tx(state, event.now);
  dispatch(tx, event);
  if (tx.deltas.length > 0) tx.emit({ kind: "stateChanged", deltas: tx.deltas });
  return [tx.state, tx.effects];
}
