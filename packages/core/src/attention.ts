// Reset-complete / power-off notices to the target's cluster, and answers to requesters.

import type { Tx } from "./tx.js";
import type {
  AttentionState,
  Category,
  Endpoint,
  LogContext,
  LogLimit,
  RecentRequest,
  ResetResult,
  ResultDetail,
  TargetKey,
} from "./types.js";

export interface AttentionTarget {
  key: TargetKey;
  system: string;
  subsystem: number;
  port: number;
  vmName: string | null;
  category: Category;
}

/** Registered monitors of the target's cluster (same HA-monitor port), the target excluded. */
export function clusterRecipients(tx: Tx, target: AttentionTarget): (Endpoint & { subsystem: number })[] {
  return Object.values(tx.shared.monitors)
    .filter((m) => m.port === target.port && m.key !== target.key && m.addr !== null)
    .sort((a, b) => a.subsystem - b.subsystem)
    .map((m) => ({ addr: m.addr as string, port: m.port, subsystem: m.subsystem }));
}

export function sendAttention(tx: Tx, target: AttentionTarget, state: AttentionState): void {
  const recipients = clusterRecipients(tx, target);
  tx.emit({
    kind: "sendAttention",
    eventId: tx.nextEventId(),
    system: target.system,
    target: target.subsystem,
    vmName: target.vmName,
    category: target.category,
    state,
    clusterPort: target.port,
    recipients,
  });
  const base: LogContext = {
    system: target.system,
    target: String(target.subsystem),
    ip: "----",
    port: "----",
    req: "----",
    category: target.category,
  };
  if (recipients.length === 0) {
    tx.log({ type: "ATTENTION", dir: "SEND", ctx: base, state });
    return;
  }
  for (const r of recipients) {
    tx.log({ type: "ATTENTION", dir: "SEND", ctx: { ...base, ip: r.addr, port: String(r.port) }, state });
  }
}

/**
 * Deduplication key of a RESET: (source IP, requester subsystem, requestId). The IP, not
 * IP:port: a requester that retransmits from another socket is still the same request
 * (docs/protocol.md §6). The key is replicated, so a takeover keeps it.
 */
export function requestKey(from: Pick<Endpoint, "addr">, requester: number, requestId: number): string {
  return `${from.addr}/${requester}#${requestId}`;
}

/** The detail a result has when nothing more precise is known. */
export function defaultDetail(result: ResetResult): ResultDetail {
  return result === "FAIL" ? "resetFailed" : result === "ERROR" ? "invalidRequester" : "none";
}

/**
 * Most requests remembered for retransmissions. Entries leave after `recentRequestTtlMs`; the
 * bound only matters under a flood from a registered requester's address (spoofed, without a
 * key). Losing an entry is safe: a retransmission is then decided afresh, attaches to the
 * running job without a second requester entry, or is answered from the target's status.
 */
export const MAX_RECENT_REQUESTS = 1024;

export function remember(tx: Tx, entry: RecentRequest): void {
  const oldest = tx.shared.recent.oldest();
  if (tx.shared.recent.size >= MAX_RECENT_REQUESTS && oldest && !tx.shared.recent.get(entry.key)) {
    tx.apply({ op: "recentRemoved", key: oldest.key });
  }
  tx.apply({ op: "recent", entry });
}

/**
 * Sends a result to a registered requester and logs `RM-RESET SEND`. Every answer is remembered
 * for retransmissions (`recent`, bounded, O(1)), so a request gets one result: an ERROR whose
 * cause goes away (the requester returned to normal, the target registered) is not followed by
 * a reset when the requester retransmits. DUMP, POFF and FAIL repeat until acknowledged; ERROR
 * is sent once (`stateless` on the wire: no repeats, rate-limited per source by the daemon).
 * Unknown requesters never get here (reset-request.ts refuseUnknown: nothing remembered).
 */
export function answer(
  tx: Tx,
  to: Endpoint,
  requester: number,
  requestId: number,
  system: string,
  target: number,
  result: ResetResult,
  ctx: LogContext,
  targetKeyValue: TargetKey | null,
  detail: ResultDetail = defaultDetail(result),
  limit?: LogLimit,
): void {
  const stateless = result === "ERROR";
  tx.emit({
    kind: "sendResult",
    to,
    requestId,
    system,
    target,
    result,
    detail,
    resend: false,
    requester,
    ...(stateless ? { stateless: true } : {}),
  });
  tx.log({ type: "RM-RESET", dir: "SEND", ctx, response: result }, limit);
  remember(tx, {
    key: requestKey(to, requester, requestId),
    target: targetKeyValue,
    result,
    detail,
    at: tx.now,
  });
}
