// Reset-phase latencies derived from the reset-log records the engine emits (the same facts an
// operator reads in resetlog*), keyed by "<system> <target>" as the lines are. Record times are
// the engine clock's, so a simulated clock gives exact figures in tests.
//
//   request_to_nmi      RM-RESET RECV   -> SOFTRESET RECV (the BMC/ESXi accepted the NMI)
//   nmi_to_dump_notice  SOFTRESET SEND  -> ATTENTION RECV (dump notice; the manual's measure)
//   nmi_to_hard_reset   SOFTRESET SEND  -> first HARDRESET SEND of the job
//   hard_reset_to_ack   HARDRESET SEND  -> HARDRESET RECV (the latest attempt)
//   pdu_cut             IPDUSD OFF SEND -> IPDUSD OFF RECV of the same outlet
//   pdu_restore         IPDUSD ON SEND  -> IPDUSD ON RECV of the same outlet
//
// Memory is bounded: an entry ends with the job (ATTENTION SEND, an answer before any NMI,
// or endJob() from the job tracker), and entries older than MAX_AGE_MS or beyond MAX_ENTRIES
// are dropped, so a job whose end was never seen cannot leak.

import type { ResetLogRecord } from "@haconn/core";
import type { CategoryLabel, LatencyPhase, LatencySink } from "./metric-sinks.js";

const MAX_AGE_MS = 15 * 60_000;
const MAX_ENTRIES = 4096;

interface Entry {
  touched: number;
  requestAt?: number;
  nmiSentAt?: number;
  nmiAcked?: boolean;
  hardSeen?: boolean;
  hardSentAt?: number;
  dumpSeen?: boolean;
}

export function categoryLabel(category: string): CategoryLabel {
  return category === "P" || category === "V" ? category : "test";
}

export class ResetTimeline {
  private readonly targets = new Map<string, Entry>();
  private readonly outlets = new Map<string, number>();

  constructor(private readonly metrics: LatencySink) {}

  /** Number of entries held (tests check that memory stays bounded). */
  get size(): number {
    return this.targets.size + this.outlets.size;
  }

  /** The job of this target ended (called by the job tracker on jobRemoved). */
  endJob(system: string, subsystem: number): void {
    this.targets.delete(`${system} ${subsystem}`);
  }

  record(r: ResetLogRecord): void {
    this.expire(r.at);
    const key = `${r.ctx.system} ${r.ctx.target}`;
    const category = categoryLabel(r.ctx.category);
    const observe = (phase: LatencyPhase, from: number | undefined) => {
      if (from !== undefined) this.metrics.observeLatency(phase, category, r.at - from);
    };
    switch (r.type) {
      case "RM-RESET": {
        if (r.dir === "RECV") {
          const entry = this.targets.get(key);
          // A request joining a running job keeps the first request's time.
          if (!entry) this.put(key, { touched: r.at, requestAt: r.at });
          return;
        }
        if (r.response !== "----") this.metrics.requestAnswered(r.response);
        // Answered before any NMI was sent: an immediate answer, nothing more will come.
        if (this.targets.get(key)?.nmiSentAt === undefined) this.targets.delete(key);
        return;
      }
      case "SOFTRESET": {
        let entry = this.targets.get(key);
        if (r.dir === "SEND") {
          // A job sends one NMI; a second SEND is a new job (the previous one's end was missed).
          if (!entry || entry.nmiSentAt !== undefined) {
            entry = {
              touched: r.at,
              ...(entry?.nmiSentAt === undefined ? { requestAt: entry?.requestAt } : {}),
            };
          }
          entry.nmiSentAt = r.at;
          entry.touched = r.at;
          this.put(key, entry);
          return;
        }
        if (entry && !entry.nmiAcked) {
          entry.nmiAcked = true;
          entry.touched = r.at;
          observe("request_to_nmi", entry.requestAt);
        }
        return;
      }
      case "HARDRESET": {
        if (r.dir === "SEND") {
          // Re-issued after a takeover, the job's start is unknown here: only the ack is timed.
          const entry = this.targets.get(key) ?? this.put(key, { touched: r.at });
          if (!entry.hardSeen) observe("nmi_to_hard_reset", entry.nmiSentAt);
          entry.hardSeen = true;
          entry.hardSentAt = r.at;
          entry.touched = r.at;
          return;
        }
        // A late acknowledgement after the job ended (DUMP notice first) has no entry: not timed.
        const entry = this.targets.get(key);
        if (entry?.hardSentAt === undefined) return;
        observe("hard_reset_to_ack", entry.hardSentAt);
        entry.hardSentAt = undefined;
        entry.touched = r.at;
        return;
      }
      case "ATTENTION": {
        const entry = this.targets.get(key);
        if (r.dir === "RECV") {
          if (entry && !entry.dumpSeen) {
            entry.dumpSeen = true;
            entry.touched = r.at;
            observe("nmi_to_dump_notice", entry.nmiSentAt);
          }
          return;
        }
        // Reset complete (or power off) announced: the job is over.
        this.targets.delete(key);
        return;
      }
      case "IPDUSD": {
        const outletKey = `${key} ${r.pduAddr}#${r.outlet} ${r.action}`;
        if (r.dir === "SEND") {
          this.outlets.set(outletKey, r.at);
          return;
        }
        observe(r.action === "OFF" ? "pdu_cut" : "pdu_restore", this.outlets.get(outletKey));
        this.outlets.delete(outletKey);
        return;
      }
    }
  }

  private put(key: string, entry: Entry): Entry {
    this.targets.set(key, entry);
    while (this.targets.size > MAX_ENTRIES) {
      const oldest = this.targets.keys().next().value as string;
      this.targets.delete(oldest);
    }
    return entry;
  }

  private expire(now: number): void {
    for (const [key, entry] of this.targets) {
      if (now - entry.touched > MAX_AGE_MS) this.targets.delete(key);
    }
    for (const [key, at] of this.outlets) {
      if (now - at > MAX_AGE_MS) this.outlets.delete(key);
    }
    while (this.outlets.size > MAX_ENTRIES) this.outlets.delete(this.outlets.keys().next().value as string);
  }
}
