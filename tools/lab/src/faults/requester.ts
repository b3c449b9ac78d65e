// A RESET requester that never gives up silently, for fault runs: it sends RESET on the
// documented schedule until RESET-ACCEPTED or RESET-RESULT, then waits for the result and, after
// `silenceMs` without one, retransmits the same request id to learn the current state (the
// protocol allows it after 30 s; fault runs use a shorter silence). It records every answer, so
// "answered exactly once" can be checked: one distinct result value per accepted request.

import {
  RESET_RETRANSMIT_MS,
  type ResetPathMessage,
  type ResetResultCode as ResetResult,
} from "@haconn/protocol";
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

/** Collects every reset-accepted and reset-result a monitor receives, by request id. */
export class AnswerLog {
  readonly records = new Map<number, ResetRecord>();
  private readonly listeners = new Set<(m: ResetPathMessage, from: string) => void>();

  constructor(
    readonly monitor: HamonSimMonitor,
    private readonly connector: { address: string; port: number },
  ) {
    monitor.channel.onMessage((m, from) => {
      const r = this.records.get(m.header.requestId);
      if (r && m.type === "reset-accepted") r.acceptedAt ??= Date.now();
      if (r && m.type === "reset-result")
        r.results.push({ at: Date.now(), result: m.body.result, responder: `${from.address}:${from.port}` });
      for (const l of this.listeners) l(m, `${from.address}:${from.port}`);
    });
  }

  /** Starts a reset of `target` (subsystem, system name). */
  reset(
    target: { subsystem: number; systemName: string },
    opts: { silenceMs?: number; deadlineMs?: number; requestId?: number } = {},
  ): ResetRun {
    const monitor = this.monitor;
    const requestId = opts.requestId ?? (0x4000_0000 + Math.floor(Math.random() * 0x3fff_ffff)) >>> 0;
    const record: ResetRecord = {
      requestId,
      target: target.subsystem,
      sentAt: Date.now(),
      sends: 0,
      results: [],
    };
    this.records.set(requestId, record);
    const connector = this.connector;
    const send = (attempt: number) => {
      record.sends += 1;
      void monitor.channel
        .send(connector, {
          type: "reset",
          header: { requestId, senderId: monitor.subsystem, timestampMs: Date.now(), attempt },
          body: {
            targetSubsystem: target.subsystem,
            clusterPort: monitor.replyPort,
            targetSystemName: target.systemName,
          },
        })
        .catch(() => undefined);
    };
    const silenceMs = opts.silenceMs ?? 3000;
    const deadline = Date.now() + (opts.deadlineMs ?? 60_000);
    const done = new Promise<ResetResult | undefined>((resolve) => {
      let attempt = 0;
      let nextSendAt = 0;
      let lastNews = Date.now();
      let timer: NodeJS.Timeout | undefined;
      const listener = (m: ResetPathMessage) => {
        if (m.header.requestId !== requestId) return;
        lastNews = Date.now();
        if (m.type === "reset-result") finish(m.body.result);
      };
      const finish = (r: ResetResult | undefined) => {
        if (timer) clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(r);
      };
      this.listeners.add(listener);
      const tick = () => {
        if (Date.now() > deadline) return finish(undefined);
        const now = Date.now();
        if (record.acceptedAt === undefined) {
          if (now >= nextSendAt) {
            send(attempt);
            nextSendAt = now + RESET_RETRANSMIT_MS[Math.min(attempt, RESET_RETRANSMIT_MS.length - 1)]!;
            attempt++;
          }
        } else if (now - lastNews >= silenceMs) {
          send(attempt++);
          lastNews = now;
        }
        timer = setTimeout(tick, 50);
      };
      tick();
    });
    return { record, done };
  }
}

/** Distinct result values a request received (exactly one when answered once). */
export function distinctResults(r: ResetRecord): ResetResult[] {
  return [...new Set(r.results.map((x) => x.result))];
}
