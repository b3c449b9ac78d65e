// System-stop ("DUMP") notice from the dump tool of a target. Ours carries the subsystem
// number; fence_kdump's carries nothing, the target is then found by its source address.
//
// A notice is evidence that a reset worked, so it may only end a reset that is waiting for
// exactly that evidence (issue #17 point 2, docs/protocol.md §4.7 and §5):
//   - the system has a reset job in its software-reset phase (NMI issued, hardware reset not yet);
//   - the notice comes from the system's registered address (the source address of its last
//     accepted CHECK). A notice matched by subsystem number alone could come from anyone.
// Anything else changes nothing: no ATTENTION, no state, no reset-log line (the reset path
// counts and rate-limits what it logs of refused notices). In particular a notice with no reset
// in progress is not announced (a forged one would make the cluster fail over a healthy system
// and answer later RESETs DUMP), and a notice in the hardware-reset or PDU-cut phase does not
// end the job (a forged one would cancel the hardware reset; a real late one loses nothing: the
// job ends on the hardware reset's acknowledgement).
//
// `classifyDumpNotice` is pure and is what `handleDumpNotice` acts on, so the reset path can ask
// it (on the state before dispatching the notice) which DUMP-ACK status the engine's decision
// means: see `DumpNoticeOutcome`.

import { finish } from "./job.js";
import type { Tx } from "./tx.js";
import type { Endpoint, EngineState, Job, MonitorRecord, TargetKey } from "./types.js";

/**
 * What the engine does with a DUMP notice. DUMP-ACK status (docs/protocol.md §4.8):
 * `accepted` → 1 accepted; `recorded` → 2 recorded; `unknown` → 3 unknown system.
 */
export type DumpNoticeOutcome =
  /** A reset of this system in its software-reset phase: the job completes now (DUMP). */
  | { kind: "accepted"; key: TargetKey; jobId: number; system: string; subsystem: number }
  /**
   * The notice comes from the registered address of a known system, but no reset of it is in its
   * software-reset phase: nothing changes. `reason`: `noReset` (no job; `dumped` true when the
   * system's status is already `dump`, e.g. a repeat of a notice that was accepted), `notSoftPhase`
   * (hardware-reset or PDU-cut phase), `ambiguous` (fence_kdump: several systems at that address
   * are being reset).
   */
  | {
      kind: "recorded";
      key: TargetKey;
      system: string;
      subsystem: number;
      reason: "noReset" | "notSoftPhase" | "ambiguous";
      dumped: boolean;
    }
  /**
   * No registered system at the notice's source address matches (for DUMP-NOTICE: with that
   * subsystem number). Also the answer to a notice naming a registered subsystem from another
   * address, so that the status tells a sender nothing it could not know.
   */
  | { kind: "unknown" };

type SharedOnly = Pick<EngineState, "shared">;

/** Registered systems at `from.addr` (with that subsystem number unless `subsystem` is null). */
function candidates(state: SharedOnly, from: Endpoint, subsystem: number | null): MonitorRecord[] {
  const out: MonitorRecord[] = [];
  for (const m of Object.values(state.shared.monitors)) {
    if (m.addr === null || m.addr !== from.addr) continue;
    if (subsystem !== null && m.subsystem !== subsystem) continue;
    out.push(m);
  }
  return out.sort((a, b) => a.key.localeCompare(b.key));
}

function softJob(state: SharedOnly, record: MonitorRecord): Job | undefined {
  const job = state.shared.jobs[record.key];
  return job?.phase === "soft" ? job : undefined;
}

/** Which system a DUMP notice from `from` (subsystem null: fence_kdump) is for, and whether it counts. */
export function classifyDumpNotice(
  state: SharedOnly,
  from: Endpoint,
  subsystem: number | null,
): DumpNoticeOutcome {
  const found = candidates(state, from, subsystem);
  if (found.length === 0) return { kind: "unknown" };
  const soft = found.filter((m) => softJob(state, m) !== undefined);
  if (soft.length === 1) {
    const record = soft[0]!;
    const job = softJob(state, record)!;
    return {
      kind: "accepted",
      key: record.key,
      jobId: job.id,
      system: record.system,
      subsystem: record.subsystem,
    };
  }
  const record = (soft.length > 1 ? soft[0] : (found.find((m) => state.shared.jobs[m.key]) ?? found[0]))!;
  const job = state.shared.jobs[record.key];
  return {
    kind: "recorded",
    key: record.key,
    system: record.system,
    subsystem: record.subsystem,
    reason: soft.length > 1 ? "ambiguous" : job ? "notSoftPhase" : "noReset",
    dumped: record.status === "dump",
  };
}

export function handleDumpNotice(
  tx: Tx,
  ev: { from: Endpoint; subsystem: number | null },
): DumpNoticeOutcome {
  const outcome = classifyDumpNotice(tx.state, ev.from, ev.subsystem);
  if (outcome.kind !== "accepted") return outcome;
  const job = tx.shared.jobs[outcome.key]!;
  tx.log({
    type: "ATTENTION",
    dir: "RECV",
    ctx: {
      ...job.log,
      ip: ev.from.addr,
      port: String(ev.from.port),
      req: String(job.subsystem),
    },
    state: "DUMP",
  });
  finish(tx, job, "DUMP", "DUMP", "dump", "DUMP notice");
  return outcome;
}
