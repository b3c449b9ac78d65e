// Reset-complete / power-off notices to the target's cluster, and answers to requesters.

import type { Tx } from "./tx.js";
import type { AttentionState, Category, Endpoint, LogContext, ResetResult, TargetKey } from "./types.js";

export interface AttentionTarget {
  key: TargetKey;
  system: string;
  subsystem: number;
  port: number;
  vmName: string | null;
  category: Category;
}

/** Registered monitors of the target's cluster (same HA-monitor port), the target excluded. */
export function clusterRecipients(tx: Tx, target: AttentionTarget): Endpoint[] {
  return Object.values(tx.shared.monitors)
    .filter((m) => m.port === target.port && m.key !== target.key && m.addr !== null)
    .sort((a, b) => a.subsystem - b.subsystem)
    .map((m) => ({ addr: m.addr as string, port: m.port }));
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

export function requestKey(from: Endpoint, requestId: number): string {
  return `${from.addr}:${from.port}#${requestId}`;
}

/** Sends a result, logs `RM-RESET SEND` and remembers it for retransmissions. */
export function answer(
  tx: Tx,
  to: Endpoint,
  requestId: number,
  system: string,
  target: number,
  result: ResetResult,
  ctx: LogContext,
  targetKeyValue: TargetKey | null,
): void {
  tx.emit({ kind: "sendResult", to, requestId, system, target, result, resend: false });
  tx.log({ type: "RM-RESET", dir: "SEND", ctx, response: result });
  tx.apply({
    op: "recent",
    entry: { key: requestKey(to, requestId), target: targetKeyValue, result, at: tx.now },
  });
}
