// A RESET requester that never gives up silently, for fault runs, on @haconn/client (the repo's
// one implementation of the requester side): the monitor's client sends RESET on the documented
// schedule — with no cap on the number of sends, only the run's deadline — until RESET-ACCEPTED or
// RESET-RESULT, then waits for the result and, after `silenceMs` without one, retransmits the same
// request id to learn the current state (the protocol allows it after 30 s; fault runs use a
// shorter silence). The log records every RESET sent and every answer received, so "answered
// exactly once" can be checked: one distinct result value per accepted request.

import { type Endpoint, isClientError } from "@haconn/client";
import type { ResetResultCode as ResetResult } from "@haconn/protocol";
import type { HamonSimMonitor } from "../hamon-sim/index.js";

export interface ResetRecord {
  requestId: number;
  target: number;
  sentAt: number;
  sends: number;
  acceptedAt?: number;
  /** Every RESET-RESULT copy received, in order. */
  results: { at: number; result: ResetResult; responder: string }[];
}

export interface ResetRun {
  record: ResetRecord;
  /** The first result, or undefined at the deadline. */
  done: Promise<ResetResult | undefined>;
}

/** Runs resets through a monitor's client and records every RESET sent and every answer, by request id. */
export class AnswerLog {
  readonly records = new Map<number, ResetRecord>();
  /** The run whose first RESET is going out (the client picks the request id). */
  private starting: ResetRecord | undefined;

  constructor(
    readonly monitor: HamonSimMonitor,
    connector: Endpoint,
  ) {
    const own = monitor.client.connector;
    if (own.address !== connector.address || own.port !== connector.port)
      throw new Error(
        `AnswerLog: the monitor's client speaks to ${own.address}:${own.port}, not ${connector.address}:${connector.port}`,
      );
    monitor.client.channel.onSend((m) => {
      if (m.type !== "reset") return;
      let r = this.records.get(m.header.requestId);
      if (!r && this.starting) {
        r = this.starting;
        r.requestId = m.header.requestId;
        this.records.set(r.requestId, r);
        this.starting = undefined;
      }
      if (r) r.sends += 1;
    });
    monitor.channel.onMessage((m, from) => {
      const r = this.records.get(m.header.requestId);
      if (r && m.type === "reset-accepted") r.acceptedAt ??= Date.now();
      if (r && m.type === "reset-result")
        r.results.push({ at: Date.now(), result: m.body.result, responder: `${from.address}:${from.port}` });
    });
  }

  /** Starts a reset of `target` (subsystem, system name). */
  reset(
    target: { subsystem: number; systemName: string },
    opts: { silenceMs?: number; deadlineMs?: number } = {},
  ): ResetRun {
    const record: ResetRecord = {
      requestId: 0,
      target: target.subsystem,
      sentAt: Date.now(),
      sends: 0,
      results: [],
    };
    this.starting = record;
    // The client sends the first RESET before its first await: the record has its request id now.
    const outcome = this.monitor.client.reset(target, {
      timeoutMs: opts.deadlineMs ?? 60_000,
      maxSends: Number.POSITIVE_INFINITY,
      silenceMs: opts.silenceMs ?? 3000,
    });
    this.starting = undefined;
    const done = outcome.then(
      (o) => o.result?.result,
      (error: unknown) => {
        if (isClientError(error, "CLIENT_TIMEOUT") || isClientError(error, "CLIENT_NO_RESULT"))
          return undefined;
        throw error;
      },
    );
    return { record, done };
  }
}

/** Distinct result values a request received (exactly one when answered once). */
export function distinctResults(r: ResetRecord): ResetResult[] {
  return [...new Set(r.results.map((x) => x.result))];
}
