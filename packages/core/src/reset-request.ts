// RESET from an HA monitor: validation of the requester, pair arbitration, retransmissions,
// immediate answers (ERROR / FAIL / DUMP / POFF) or a job (accepted now, result later).
//
// Arbitration: events are processed one at a time, so of two RESETs that cross (the two
// members of a monitoring pair resetting each other), the first processed starts its job and
// the second comes from "a requester being reset": FAIL. Arrival order at the engine is the
// tie-break, also within one millisecond; the standby replays the same order.

import { answer, defaultDetail, remember, requestKey } from "./attention.js";
import { NA } from "./reset-log.js";
import { startJob, upgradeTestJob } from "./job.js";
import { isVirtual, serverRuntime } from "./status.js";
import { inStaleWindow } from "./takeover.js";
import type { Tx } from "./tx.js";
import type {
  EngineEvent,
  LogContext,
  LogLimit,
  MonitorRecord,
  Requester,
  ResetResult,
  ResultDetail,
} from "./types.js";
import { targetKey } from "./types.js";

type ResetEvent = Extract<EngineEvent, { type: "reset" }>;

/** Requests (distinct request ids) of one requester that may wait for one running reset. */
export const MAX_WAITING = 4;

/** Expired entries leave from the front of the expiry queue (`at` order): stop at the first live one. */
function pruneRecent(tx: Tx): void {
  const limit = tx.now - tx.options.recentRequestTtlMs;
  for (let e = tx.shared.recent.oldest(); e && e.at < limit; e = tx.shared.recent.oldest()) {
    tx.apply({ op: "recentRemoved", key: e.key });
  }
}

/**
 * The registered requester: its registration (clusterPort, senderId) from the RESET, and the
 * datagram from that registration's address. Never by port alone: without a key, the source
 * address is all that tells a monitor from anyone else on the reset-path network. A RESET
 * without clusterPort (an engine event of older callers) is matched by subsystem and address,
 * preferring the registration with the source port.
 */
function findRequester(tx: Tx, ev: ResetEvent): MonitorRecord | undefined {
  if (ev.clusterPort !== undefined) {
    const m = tx.shared.monitors[targetKey(ev.clusterPort, ev.requester)];
    return m && m.addr !== null && m.addr === ev.from.addr ? m : undefined;
  }
  const candidates = Object.values(tx.shared.monitors).filter(
    (m) => m.subsystem === ev.requester && m.addr !== null && m.addr === ev.from.addr,
  );
  return candidates.find((m) => m.port === ev.from.port) ?? candidates[0];
}

/**
 * ERROR to a requester that is not registered (or not from its registered address): answered
 * once, nothing logged, remembered or repeated, so a flood of such RESETs (spoofed or not)
 * costs no state and no reset-log line; the daemon rate-limits the answers per source.
 */
function refuseUnknown(tx: Tx, ev: ResetEvent): void {
  tx.emit({
    kind: "sendResult",
    to: ev.from,
    requestId: ev.requestId,
    system: ev.system,
    target: ev.target,
    result: "ERROR",
    detail: "invalidRequester",
    resend: false,
    stateless: true,
    unknownRequester: true,
    requester: ev.requester,
  });
}

/** A physical target that never registered may still be reset by its system name (BMC known). */
function placeholderTarget(tx: Tx, ev: ResetEvent, port: number): MonitorRecord | undefined {
  const server = tx.server(ev.system);
  if (!server || isVirtual(server)) return undefined;
  const taken = Object.values(tx.shared.monitors).some((m) => m.system === ev.system && m.vmName === null);
  if (taken) return undefined;
  const record: MonitorRecord = {
    key: targetKey(port, ev.target),
    port,
    subsystem: ev.target,
    system: ev.system,
    vmName: null,
    addr: null,
    pair: null,
    firstSeen: tx.now,
    lastSeen: tx.now,
    status: "normal",
    statusSince: tx.now,
    guestPower: null,
  };
  tx.apply({ op: "monitor", record });
  return record;
}

function knownOff(tx: Tx, record: MonitorRecord): boolean {
  if (record.vmName !== null) return record.guestPower === "off";
  return serverRuntime(tx.shared, record.system).power === "poff";
}

export function handleReset(tx: Tx, ev: ResetEvent): void {
  pruneRecent(tx);
  const rkey = requestKey(ev.from, ev.requester, ev.requestId);
  const previous = tx.shared.recent.get(rkey);
  if (previous) {
    // Retransmission: never a second job; the current state of the first request.
    if (previous.result === null) {
      tx.emit({
        kind: "sendAccepted",
        to: ev.from,
        requestId: ev.requestId,
        system: ev.system,
        target: ev.target,
      });
    } else {
      tx.emit({
        kind: "sendResult",
        to: ev.from,
        requestId: ev.requestId,
        system: ev.system,
        target: ev.target,
        result: previous.result,
        detail: previous.detail ?? defaultDetail(previous.result),
        resend: true,
        requester: ev.requester,
        ...(previous.result === "ERROR" ? { stateless: true } : {}),
      });
    }
    return;
  }
  if (inStaleWindow(tx)) {
    // A new decision waits until the previous active's commands have landed (takeover.ts): no
    // answer, no memory of it; the requester retransmits.
    tx.notice(
      "info",
      `RESET ${rkey}: deferred, the state may be stale after a takeover (until ${tx.state.local.staleUntil})`,
      { source: ev.from.addr, reason: "deferred" },
    );
    return;
  }

  const requester = findRequester(tx, ev);
  if (!requester) {
    refuseUnknown(tx, ev);
    return;
  }
  let target: MonitorRecord | undefined = tx.shared.monitors[targetKey(requester.port, ev.target)];
  const ctx: LogContext = {
    system: ev.system,
    target: String(ev.target),
    ip: ev.from.addr,
    port: String(ev.from.port),
    req: String(ev.requester),
    category: target ? (target.vmName === null ? "P" : "V") : NA,
  };
  // The RECV line is written with the decision: a RESET refused or answered from the current
  // state (no reset carried out) has its lines limited to one group per reason per source a
  // minute, the rest counted (executor.ts): without a key, a spoofer of a registered address
  // cannot fill the reset log. The lines of a reset carried out, and its result, are never limited.
  const recvCtx: LogContext = { ...ctx };
  const recv = (limit?: LogLimit) =>
    tx.log({ type: "RM-RESET", dir: "RECV", ctx: recvCtx, response: NA }, limit);
  const now = (result: ResetResult, why: string, detail: ResultDetail = defaultDetail(result)) => {
    const limit: LogLimit = { source: ev.from.addr, reason: `${result}/${detail}` };
    recv(limit);
    tx.notice(
      result === "ERROR" || result === "FAIL" ? "warn" : "info",
      `RESET ${rkey}: ${result}: ${why}`,
      limit,
    );
    answer(
      tx,
      ev.from,
      ev.requester,
      ev.requestId,
      ev.system,
      ev.target,
      result,
      ctx,
      target?.key ?? null,
      detail,
      limit,
    );
  };

  // Precedence (docs/protocol.md §6): requester being reset (FAIL/2), requester reset
  // complete (ERROR/5), requester names itself (ERROR/4), unknown target (ERROR/6).
  if (tx.shared.jobs[requester.key]) {
    now("FAIL", "requester is being reset", "requesterBeingReset");
    return;
  }
  if (requester.status === "dump" || requester.status === "poff") {
    now("ERROR", "requester already reset", "requesterResetComplete");
    return;
  }
  if (ev.target === requester.subsystem) {
    now("ERROR", "requester asks to reset itself", "invalidRequester");
    return;
  }
  if (!target) {
    target = placeholderTarget(tx, ev, requester.port);
    if (!target) {
      now("ERROR", "unknown target", "unknownTarget");
      return;
    }
    ctx.category = "P";
  }
  if (target.system !== ev.system) {
    now("ERROR", `target is registered on ${target.system}`, "unknownTarget");
    return;
  }

  const entry: Requester = {
    addr: ev.from.addr,
    port: ev.from.port,
    subsystem: ev.requester,
    requestId: ev.requestId,
    receivedAt: tx.now,
  };
  const job = tx.shared.jobs[target.key];
  const attached = job?.requesters.some(
    (r) => r.addr === entry.addr && r.subsystem === entry.subsystem && r.requestId === entry.requestId,
  );
  if (job) {
    // The same request once more (its dedupe entry was lost) is already waiting for this job.
    // A requester has at most MAX_WAITING requests waiting for one job: more are refused, so a
    // flood of new ids from a (spoofed, no key) registered address adds no entry and no line.
    if (attached) recv({ source: ev.from.addr, reason: "attached" });
    else {
      const waiting = job.requesters.filter((r) => r.addr === entry.addr && r.subsystem === entry.subsystem);
      if (waiting.length >= MAX_WAITING) {
        now(
          "ERROR",
          `already ${MAX_WAITING} requests of this requester wait for this reset`,
          "invalidRequester",
        );
        return;
      }
      recv();
      if (job.test) upgradeTestJob(tx, job, entry, target);
      else tx.apply({ op: "job", job: { ...job, requesters: [...job.requesters, entry] } });
    }
  } else if (ev.fence === true) {
    // FENCE (docs/protocol.md §4.3): row 7 is skipped. A fencing client cannot tell "already
    // reset" from "rebooted and running again but not checked in yet" (a status keeps dump / poff
    // until a CHECK >= 5 s after it changed), so the reset starts whatever the status says.
    recv();
    if (target.status === "dump" || target.status === "poff" || knownOff(tx, target)) {
      tx.notice("info", `RESET ${rkey}: FENCE: status ${target.status} is not trusted, the reset starts`);
    }
    startJob(tx, target, entry, null, { ...ctx, category: target.vmName === null ? "P" : "V" });
  } else {
    if (target.status === "dump") {
      now("DUMP", "target already reset");
      return;
    }
    if (target.status === "poff") {
      now("POFF", "target already powered off");
      return;
    }
    if (knownOff(tx, target)) {
      tx.apply({ op: "monitor", record: { ...target, status: "poff", statusSince: tx.now } });
      now("POFF", "target is powered off");
      return;
    }
    recv();
    const log: LogContext = { ...ctx, category: target.vmName === null ? "P" : "V" };
    startJob(tx, target, entry, null, log);
  }
  tx.emit({
    kind: "sendAccepted",
    to: ev.from,
    requestId: ev.requestId,
    system: ev.system,
    target: ev.target,
  });
  remember(tx, { key: rkey, target: target.key, result: null, at: tx.now });
}
