// DUMP-NOTICE as the dump notifier of a stopped system (docs/protocol.md §4.7–4.8, §6 notifier
// rule 2): the same requestId every 500 ms until a DUMP-ACK `accepted`, for as long as the dump
// runs (`durationMs`); `recorded` and `unknownSystem` do not stop it. Never throws on silence:
// the outcome says whether the notice was accepted, and the last answer.
import type { DumpAckBody, ResetPathMessage } from "@haconn/protocol";
import { checkName } from "./endpoint.js";
import type { Exchange } from "./exchange.js";
import { unsupported } from "./reset.js";

export const DUMP_NOTICE_INTERVAL_MS = 500;
/** Default time the notifier repeats (a dump usually outlasts it; pass the dump's own time). */
export const DEFAULT_DUMP_NOTICE_DURATION_MS = 60_000;

export interface DumpNotice {
  /** The system's HA monitor reset-path port; 0 or absent = unknown. */
  clusterPort?: number;
  /** The system's name; empty or absent = unknown. */
  systemName?: string;
}

export interface DumpNoticeOptions {
  /** How long the dump runs, i.e. how long to repeat (default 60 s). */
  durationMs?: number;
  /** Default 500 ms (rule 2). */
  intervalMs?: number;
  /** At most this many sends (default: no count, only durationMs). */
  maxSends?: number;
  signal?: AbortSignal;
}

export interface DumpNoticeOutcome {
  requestId: number;
  sends: number;
  /** True when a DUMP-ACK `accepted` came: the running reset counts the dump. */
  accepted: boolean;
  /** The `accepted` DUMP-ACK, else the last one received; absent: the connector never answered. */
  ack?: DumpAckBody;
  elapsedMs: number;
}

type Answer = Extract<ResetPathMessage, { type: "dump-ack" | "unsupported-version" }>;

export async function runDumpNotice(
  x: Exchange,
  notice: DumpNotice,
  options: DumpNoticeOptions,
): Promise<DumpNoticeOutcome> {
  const systemName = notice.systemName ?? "";
  checkName(systemName, "system name", 0);
  const clusterPort = notice.clusterPort ?? 0;
  const clock = x.clock;
  const started = clock.now();
  const end = started + (options.durationMs ?? DEFAULT_DUMP_NOTICE_DURATION_MS);
  const interval = options.intervalMs ?? DUMP_NOTICE_INTERVAL_MS;
  const maxSends = options.maxSends ?? Number.POSITIVE_INFINITY;
  const requestId = x.newRequestId();
  const outcome: DumpNoticeOutcome = { requestId, sends: 0, accepted: false, elapsedMs: 0 };
  const sub = x.subscribe<Answer>((m) =>
    m.header.requestId === requestId && (m.type === "dump-ack" || m.type === "unsupported-version")
      ? m
      : undefined,
  );
  try {
    let nextSendAt = started;
    while (!outcome.accepted) {
      const now = clock.now();
      if (now >= end) break;
      if (now >= nextSendAt) {
        if (outcome.sends >= maxSends) break;
        await x.send({
          type: "dump-notice",
          header: x.header(requestId, outcome.sends++),
          body: { clusterPort, systemName },
        });
        nextSendAt = now + interval;
      }
      const m = await sub.box.take(Math.min(nextSendAt, end) - clock.now(), options.signal);
      if (m?.type === "unsupported-version") throw unsupported(x, m.body);
      if (m) {
        outcome.ack = m.body;
        outcome.accepted = m.body.status === "accepted";
      }
    }
    outcome.elapsedMs = clock.now() - started;
    return outcome;
  } finally {
    sub.dispose();
  }
}
