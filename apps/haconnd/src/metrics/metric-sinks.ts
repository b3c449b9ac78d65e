// Label values of haconnd's metrics and the narrow sinks its feeders write to. The job tracker
// and the reset timeline take a sink, not the whole HaconnMetrics, so neither imports
// metrics.ts (which creates them): no import circle.

import type { LinkState } from "@haconn/core";

export const LATENCY_PHASES = [
  "request_to_nmi",
  "nmi_to_dump_notice",
  "nmi_to_hard_reset",
  "hard_reset_to_ack",
  "pdu_cut",
  "pdu_restore",
] as const;
export type LatencyPhase = (typeof LATENCY_PHASES)[number];

/** Job phases as metric label values (the engine's soft / hard / pduCut). */
export type JobPhaseLabel = "soft" | "hard" | "pdu_cut";
/** `unknown` only when the system's registration vanished with the job. */
export type JobResultLabel = "DUMP" | "POFF" | "FAIL" | "unknown";
/** `P` physical system, `V` guest, `test` for PDU tests and acrecovery (the log's `----`). */
export type CategoryLabel = "P" | "V" | "test";
export type JobKind = "reset" | "test";
export type LinkKind = "bmc" | "esxi" | "pdu" | "mserver_bmc" | "mserver_ipdu" | "duplex";
export type ResetLogResult = "DUMP" | "POFF" | "FAIL" | "ERROR";

/** What the job tracker writes: job phases, job results, device links. */
export interface JobSink {
  jobPhase(phase: JobPhaseLabel, category: CategoryLabel, kind: JobKind): void;
  jobFinished(phase: JobPhaseLabel, result: JobResultLabel, category: CategoryLabel, kind: JobKind): void;
  /** `OK` = 1, `NG` = 0, `--` (not monitored / not yet known) removes the series. */
  setLink(kind: LinkKind, name: string, state: LinkState): void;
}

/** What the reset timeline writes: request results and phase latencies. */
export interface LatencySink {
  requestAnswered(result: ResetLogResult): void;
  observeLatency(phase: LatencyPhase, category: CategoryLabel, ms: number): void;
}
