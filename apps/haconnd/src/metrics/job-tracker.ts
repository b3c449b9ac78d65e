// Reset jobs by phase and result, and device links, derived from the engine's deltas.
// A job appears as `job` deltas (a new id = a new job; a changed phase = an escalation) and
// ends with `jobRemoved` followed, in the same transition, by the `monitor` delta that sets the
// system's status (engine finish(): dump -> DUMP, poff -> POFF, error -> FAIL, and normal ->
// FAIL for a haconnserver reset test that got no dump notice).

import type { Job, JobPhase, StoredStatus, TargetKey, VersionedDelta } from "@haconn/core";
import type { CategoryLabel, JobKind, JobPhaseLabel, JobResultLabel, JobSink } from "./metric-sinks.js";

interface Tracked {
  id: number;
  system: string;
  subsystem: number;
  phase: JobPhase;
  category: CategoryLabel;
  kind: JobKind;
}

const PHASE: Record<JobPhase, JobPhaseLabel> = { soft: "soft", hard: "hard", pduCut: "pdu_cut" };

const RESULT: Record<StoredStatus, JobResultLabel> = {
  dump: "DUMP",
  poff: "POFF",
  error: "FAIL",
  normal: "FAIL",
};

export class JobTracker {
  private readonly jobs = new Map<TargetKey, Tracked>();

  constructor(
    private readonly metrics: JobSink,
    /** Told when a job ends, so the latency timeline can forget it. */
    private readonly onJobEnd: (system: string, subsystem: number) => void = () => {},
  ) {}

  get size(): number {
    return this.jobs.size;
  }

  apply(deltas: readonly VersionedDelta[]): void {
    const ended = new Map<TargetKey, Tracked>();
    for (const d of deltas) {
      switch (d.op) {
        case "job":
          this.job(d.job);
          break;
        case "jobRemoved": {
          const t = this.jobs.get(d.key);
          if (!t) break;
          this.jobs.delete(d.key);
          ended.set(d.key, t);
          this.onJobEnd(t.system, t.subsystem);
          break;
        }
        case "monitor": {
          const t = ended.get(d.record.key);
          if (!t) break;
          ended.delete(d.record.key);
          this.metrics.jobFinished(PHASE[t.phase], RESULT[d.record.status], t.category, t.kind);
          break;
        }
        case "server":
          this.metrics.setLink("bmc", d.server.name, d.server.bmc);
          this.metrics.setLink("esxi", d.server.name, d.server.esxi);
          break;
        case "pdu":
          this.metrics.setLink("pdu", d.pdu, d.link);
          break;
        default:
          break;
      }
    }
    // The system's registration vanished with the job: the result is not known here.
    for (const t of ended.values()) this.metrics.jobFinished(PHASE[t.phase], "unknown", t.category, t.kind);
  }

  private job(job: Job): void {
    const kind: JobKind = job.test ? "test" : "reset";
    const t = this.jobs.get(job.key);
    if (!t || t.id !== job.id) {
      this.jobs.set(job.key, {
        id: job.id,
        system: job.system,
        subsystem: job.subsystem,
        phase: job.phase,
        category: job.category,
        kind,
      });
      this.metrics.jobPhase(PHASE[job.phase], job.category, kind);
      return;
    }
    // A haconnserver reset test taken over by a real RESET counts as a reset from then on.
    t.kind = kind;
    if (t.phase !== job.phase) {
      t.phase = job.phase;
      this.metrics.jobPhase(PHASE[job.phase], job.category, kind);
    }
  }
}
