// What haconnclient prints: one line of text per event, or one JSON object per line (--json).
import {
  type AttentionBody,
  type AttentionInfo,
  type CheckOutcome,
  describeResult,
  type DumpNoticeOutcome,
  formatEndpoint,
  type ResetAcceptedBody,
  type ResetOutcome,
} from "@haconn/client";

const setBits = (bits: Record<string, boolean>) =>
  Object.entries(bits)
    .filter(([, on]) => on)
    .map(([name]) => name);

export function checkLine(o: CheckOutcome, json: boolean): string {
  const r = o.reply;
  const blockers = setBits(r.blockers);
  const redundancy = setBits(r.redundancy);
  if (json) {
    return JSON.stringify({
      event: "check-reply",
      requestId: o.requestId,
      from: formatEndpoint(o.from),
      responder: r.responder,
      role: r.role,
      status: r.status,
      pairSubsystem: r.pairSubsystem,
      resettable: o.resettable,
      redundant: o.redundant,
      blockers,
      redundancy,
      rttMs: o.rttMs,
    });
  }
  return (
    `CHECK-REPLY from ${r.responder} (${r.role}) at ${formatEndpoint(o.from)}: status ${r.status}, ` +
    `resettable ${o.resettable ? "yes" : `no (${blockers.join(", ")})`}, ` +
    `redundancy ${o.redundant ? "ok" : `lost (${redundancy.join(", ")})`}, pair ${r.pairSubsystem || "-"}, ${o.rttMs} ms`
  );
}

export function acceptedLine(a: ResetAcceptedBody, json: boolean): string {
  return json
    ? JSON.stringify({ event: "reset-accepted", targetSubsystem: a.targetSubsystem, phase: a.phase })
    : `RESET-ACCEPTED: target ${a.targetSubsystem}, phase ${a.phase}`;
}

export function resultLine(o: ResetOutcome, json: boolean): string {
  const r = o.result!;
  if (json) {
    return JSON.stringify({
      event: "reset-result",
      requestId: o.requestId,
      targetSubsystem: r.targetSubsystem,
      result: r.result,
      detail: r.detail,
      phases: o.phases,
      sends: o.sends,
      elapsedMs: o.elapsedMs,
      ...(o.attention ? { attention: o.attention.state } : {}),
    });
  }
  return `RESET-RESULT ${describeResult(r)}; target ${r.targetSubsystem}, ${o.sends} send(s), ${o.elapsedMs} ms${o.phases.length ? `, phases ${o.phases.join(" -> ")}` : ""}`;
}

export function dumpLine(o: DumpNoticeOutcome, json: boolean): string {
  if (json) {
    return JSON.stringify({
      event: "dump-notice",
      requestId: o.requestId,
      accepted: o.accepted,
      status: o.ack?.status ?? null,
      sends: o.sends,
      elapsedMs: o.elapsedMs,
    });
  }
  if (o.accepted)
    return `DUMP-ACK accepted after ${o.sends} send(s), ${o.elapsedMs} ms: the running reset counts the dump`;
  if (o.ack) return `DUMP-ACK ${o.ack.status} (never accepted) after ${o.sends} send(s), ${o.elapsedMs} ms`;
  return `no DUMP-ACK after ${o.sends} send(s), ${o.elapsedMs} ms`;
}

export function attentionLine(a: AttentionBody, info: AttentionInfo, json: boolean): string {
  if (json) {
    return JSON.stringify({
      event: "attention",
      ...a,
      from: formatEndpoint(info.from),
      keyId: info.auth?.keyId ?? null,
    });
  }
  const vm = a.targetVmName ? `/${a.targetVmName}` : "";
  return `ATTENTION ${a.state} ${a.targetSystemName}${vm} (subsystem ${a.targetSubsystem}, ${a.kind}, cluster port ${a.clusterPort}) event ${a.eventId} from ${formatEndpoint(info.from)}`;
}
