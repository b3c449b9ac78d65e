// Prometheus metrics of haconnd (prom-client), served by metrics-server.ts when configured.
//
// Intended wiring (the daemon's composition root feeds these; nothing here reads a socket,
// a file or a timer of its own):
//
//   EngineRunner ports (apps/haconnd/src/daemon.ts `new EngineRunner(..., {...})`):
//     log(line, record)      -> metrics.resetLog(record)
//         RM-RESET SEND            haconn_reset_requests_total{result}
//         RM-RESET RECV .. SOFTRESET RECV        phase "request_to_nmi"
//         SOFTRESET SEND .. ATTENTION RECV        phase "nmi_to_dump_notice" (the manual's
//                                                 software-reset duration, §7.3)
//         SOFTRESET SEND .. first HARDRESET SEND  phase "nmi_to_hard_reset" (hispeed time)
//         HARDRESET SEND .. HARDRESET RECV        phase "hard_reset_to_ack"
//         IPDUSD OFF SEND .. IPDUSD OFF RECV      phase "pdu_cut" (per outlet)
//         IPDUSD ON SEND .. IPDUSD ON RECV        phase "pdu_restore" (per outlet)
//       all into haconn_reset_phase_seconds{phase, category}
//     stateChanged(deltas)   -> metrics.stateChanged(deltas)
//         job (new id / new phase) haconn_reset_job_phases_total{phase, category, kind}
//         jobRemoved + monitor     haconn_reset_jobs_total{phase, result, category, kind}
//         server                   haconn_link_up{kind="bmc"|"esxi", name=<system name>}
//         pdu                      haconn_link_up{kind="pdu", name=<pdu key>}
//   After Daemon.becomeActive() dispatched `start` (and after a takeover):
//     metrics.syncState(engine.state.shared)   links from the whole replicated state
//   When the node leaves the active role: metrics.clearLinks(["bmc", "esxi", "pdu"]) (a standby
//     does not poll; stale gauges would lie).
//   MserverWatch (each poll): metrics.setLink("mserver_bmc", name, h.bmc),
//     metrics.setLink("mserver_ipdu", name, h.ipdu)
//   Pair (packages/ha effects / duplex link): metrics.setRole(role) on every role change
//     (Daemon.role), metrics.setSynchronised(bool) when the standby's SYNC-ACK catches up or
//     falls behind (KAMN655-W condition 1), metrics.setLink("duplex", peerName, "OK"|"NG").
//   Drop counters (read at every scrape, no timer):
//     metrics.dropSource("reset-path", () => daemon.socket?.drops)
//     metrics.dropSource("duplex", () => duplexLink?.drops)
//
// Feed it only from this node's own EngineRunner ports: a standby that applies replicated
// deltas must not call stateChanged() with them, or each job would be counted on both nodes.

import type { DropCounters } from "@haconn/protocol";
import type { ResetLogRecord, SharedState, VersionedDelta } from "@haconn/core";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { JobTracker } from "./job-tracker.js";
import type { JobSink, LatencySink, LinkKind } from "./metric-sinks.js";
import { ResetTimeline } from "./reset-timeline.js";

export {
  type CategoryLabel,
  type JobKind,
  type JobPhaseLabel,
  type JobResultLabel,
  LATENCY_PHASES,
  type LatencyPhase,
  type LinkKind,
  type ResetLogResult,
} from "./metric-sinks.js";

export type PairRole = "active" | "standby" | "undecided";

export const PAIR_ROLES: readonly PairRole[] = ["active", "standby", "undecided"];

/** Seconds; from a 30 ms ipmitool call to the 60 s longest hardware-reset window. */
export const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 4, 5, 7.5, 10, 15, 30, 60];

export interface MetricsOptions {
  /** Also export prom-client's process metrics (CPU, memory, event-loop lag). Default false. */
  processMetrics?: boolean;
  /** Metric name prefix. Default "haconn_". */
  prefix?: string;
}

export interface HaconnMetrics extends JobSink, LatencySink {
  readonly registry: Registry;
  /** Derives request results and phase latencies from one reset-log record. */
  resetLog(record: ResetLogRecord): void;
  /** Derives job phases, job results and device links from the engine's deltas. */
  stateChanged(deltas: readonly VersionedDelta[]): void;
  /** Sets every device link from the whole replicated state (start, takeover). */
  syncState(shared: SharedState): void;
  /** Removes every series of these link kinds (all kinds when omitted). */
  clearLinks(kinds?: readonly LinkKind[]): void;
  setRole(role: PairRole): void;
  setSynchronised(synchronised: boolean): void;
  /** Adds what a socket's drop counters gained since the last snapshot of that socket. */
  recordDrops(socket: string, snapshot: Readonly<DropCounters>): void;
  /** A drop-counter snapshot read at every scrape (undefined while the socket is closed). */
  dropSource(socket: string, read: () => Readonly<DropCounters> | undefined): void;
  /** The exposition text (what GET /metrics returns). */
  scrape(): Promise<string>;
  readonly contentType: string;
}

export function createMetrics(
  registry: Registry = new Registry(),
  options: MetricsOptions = {},
): HaconnMetrics {
  const p = options.prefix ?? "haconn_";
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: p });

  const requests = new Counter({
    name: `${p}reset_requests_total`,
    help: "RESET requests answered (RM-RESET SEND), by result; retransmissions are not counted",
    labelNames: ["result"] as const,
    registers: [registry],
  });
  const phases = new Counter({
    name: `${p}reset_job_phases_total`,
    help: "Reset jobs that entered a phase: soft (NMI), hard (hardware reset), pdu_cut",
    labelNames: ["phase", "category", "kind"] as const,
    registers: [registry],
  });
  const jobs = new Counter({
    name: `${p}reset_jobs_total`,
    help: "Reset jobs finished, by the last phase they reached and their result",
    labelNames: ["phase", "result", "category", "kind"] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: `${p}reset_phase_seconds`,
    help:
      "Reset phase durations: request_to_nmi (request to NMI acknowledged), nmi_to_dump_notice, " +
      "nmi_to_hard_reset, hard_reset_to_ack, pdu_cut and pdu_restore (per outlet)",
    labelNames: ["phase", "category"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const links = new Gauge({
    name: `${p}link_up`,
    help: "Device link state: 1 OK, 0 NG; absent when not monitored or not yet known",
    labelNames: ["kind", "name"] as const,
    registers: [registry],
  });
  const role = new Gauge({
    name: `${p}pair_role`,
    help: "This connector's role: 1 for the current role, 0 for the others",
    labelNames: ["role"] as const,
    registers: [registry],
  });
  const synchronised = new Gauge({
    name: `${p}pair_synchronised`,
    help: "1 when the standby holds the active's current state (KAMN655-W condition 1 clear), else 0",
    registers: [registry],
  });
  const sources = new Map<string, () => Readonly<DropCounters> | undefined>();
  const lastDrops = new Map<string, Record<string, number>>();
  const drops = new Counter({
    name: `${p}dropped_datagrams_total`,
    help: "Datagrams and stream frames dropped by the decoder, by socket and reason (docs/protocol.md §9)",
    labelNames: ["socket", "reason"] as const,
    registers: [registry],
    collect() {
      for (const [socket, read] of sources) {
        const snapshot = read();
        if (snapshot) recordDrops(socket, snapshot);
      }
    },
  });
  const linkNames = new Map<string, { kind: LinkKind; name: string }>();

  for (const r of PAIR_ROLES) role.set({ role: r }, r === "undecided" ? 1 : 0);
  synchronised.set(0);

  function recordDrops(socket: string, snapshot: Readonly<DropCounters>): void {
    const last = lastDrops.get(socket) ?? {};
    const next: Record<string, number> = {};
    for (const [reason, value] of Object.entries(snapshot)) {
      next[reason] = value;
      const before = last[reason] ?? 0;
      // A smaller value means a new socket (reopened after a takeover): all of it is new.
      const gained = value >= before ? value - before : value;
      if (gained > 0) drops.inc({ socket, reason }, gained);
      else if (!(reason in last)) drops.inc({ socket, reason }, 0);
    }
    lastDrops.set(socket, next);
  }

  const metrics: HaconnMetrics = {
    registry,
    contentType: registry.contentType,
    resetLog: (record) => timeline.record(record),
    stateChanged: (deltas) => tracker.apply(deltas),
    syncState(shared) {
      metrics.clearLinks(["bmc", "esxi", "pdu"]);
      for (const server of Object.values(shared.servers)) {
        metrics.setLink("bmc", server.name, server.bmc);
        metrics.setLink("esxi", server.name, server.esxi);
      }
      for (const [pdu, state] of Object.entries(shared.pdus)) metrics.setLink("pdu", pdu, state);
    },
    requestAnswered: (result) => requests.inc({ result }),
    jobPhase: (phase, category, kind) => phases.inc({ phase, category, kind }),
    jobFinished: (phase, result, category, kind) => jobs.inc({ phase, result, category, kind }),
    observeLatency(phase, category, ms) {
      if (Number.isFinite(ms) && ms >= 0) latency.observe({ phase, category }, ms / 1000);
    },
    setLink(kind, name, state) {
      const id = `${kind}\u0000${name}`;
      if (state === "--") {
        if (linkNames.delete(id)) links.remove({ kind, name });
        return;
      }
      linkNames.set(id, { kind, name });
      links.set({ kind, name }, state === "OK" ? 1 : 0);
    },
    clearLinks(kinds) {
      for (const [id, l] of linkNames) {
        if (kinds && !kinds.includes(l.kind)) continue;
        links.remove({ kind: l.kind, name: l.name });
        linkNames.delete(id);
      }
    },
    setRole(current) {
      for (const r of PAIR_ROLES) role.set({ role: r }, r === current ? 1 : 0);
    },
    setSynchronised: (value) => synchronised.set(value ? 1 : 0),
    recordDrops,
    dropSource(socket, read) {
      sources.set(socket, read);
    },
    scrape: () => registry.metrics(),
  };
  const timeline = new ResetTimeline(metrics);
  const tracker = new JobTracker(metrics, (system, subsystem) => timeline.endJob(system, subsystem));
  return metrics;
}
