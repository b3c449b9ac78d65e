// Start and takeover: jobs continue from their phase, never with a second NMI.
//
// A node that takes over by fencing (or starts after a crash, or replaces a peer that restarted)
// holds a state that may miss what the previous active did alone: RESETs it accepted, NMIs it
// issued (a slow BMC may still carry one out after its issuer was fenced), DUMP notices it
// received. Such a start is `stale` (found by the deterministic simulator, docs/reliability.md
// F1), and two rules apply:
//
// 1. No hardware reset of a resumed software-reset-phase job before `takeoverDumpGraceMs`
//    (default 4 s) after the start (a hardware-reset-phase job re-issues its reset at once). A DUMP notice the previous active received is heard again here because of the
//    notifier rule (docs/protocol.md §6, rule 2): the notifier repeats its notice — ours every
//    500 ms, fence_kdump_send every `-i` seconds (1 s as haconn requires) — for as long as the
//    dump runs, until a DUMP-ACK `accepted`; a connector acknowledges `accepted` only a notice
//    that ended a reset in its software-reset phase and, in a pair, only once the standby holds
//    that state; a lone active acknowledges nothing. So while the system dumps, notices keep
//    coming, and the grace covers four repeats of the slower notifier (the chance that every one
//    is lost at 15 % loss is 5·10⁻⁴; at 1 % 10⁻⁸). An inherited soft-phase job stays in its soft
//    phase for the grace, so a repeat ends it with DUMP (dump-notice.ts). A dump that ended before
//    any repeat got through has been written: the hardware reset then hits a rebooting machine.
//    Why a second NMI is not used instead: a dumping kernel ignores it (it gives no new notice),
//    and a system that dumped and came back would be stopped again.
// 2. For the stale window — the longest deadline a device command of the previous active can
//    have, plus a margin — no new RESET is decided: it gets no answer, and the requester
//    retransmits it (RESET is retransmitted for 17.5 s). A command of the previous active lands
//    within that window, so a requester heard after it was not being reset by it: a monitoring
//    pair is not reset twice by one race, and an ERROR / FAIL is not answered from a state that
//    misses a job. Retransmissions of requests the state knows are answered as usual.

import { jobDevice, jobTimerId } from "./job.js";
import { startPolling } from "./power-watch.js";
import { restoreTimerId } from "./restore.js";
import type { Tx } from "./tx.js";
import type { EngineState, Job } from "./types.js";

/** Slack for network delay and clock granularity on top of the longest device deadline. */
export const STALE_MARGIN_MS = 500;

/** The longest a device command issued by this engine's configuration can take to land. */
export function staleWindowMs(state: Pick<EngineState, "config" | "options">): number {
  const { deviceCallTimeoutMs, hardResetAckTimeoutMs } = state.options;
  const serverAck = Math.max(0, ...state.config.pservers.map((s) => (s.timeoutSec ?? 0) * 1000));
  return Math.max(deviceCallTimeoutMs, hardResetAckTimeoutMs, serverAck) + STALE_MARGIN_MS;
}

/** True while new RESETs wait: the state may miss commands of a previous active still landing. */
export function inStaleWindow(tx: Tx): boolean {
  return tx.now < tx.state.local.staleUntil;
}

function resumeJob(tx: Tx, job: Job, stale: boolean): void {
  const earliestHard = stale ? tx.now + tx.options.takeoverDumpGraceMs : tx.now;
  if (job.phase === "soft") {
    let hardAt = job.hardAt;
    if (stale && !job.test && hardAt < earliestHard) {
      hardAt = earliestHard;
      tx.apply({ op: "job", job: { ...job, hardAt } });
    }
    tx.setTimer(jobTimerId(job.key), hardAt);
  } else if (job.phase === "hard" && job.hard) {
    // Re-issuing a hardware reset is safe, at once: a DUMP notice no longer ends a job in this
    // phase (dump-notice.ts), so there is nothing to wait for (a grace here only delayed the reset
    // at every takeover: repeated takeovers kept a reset from finishing, found by the simulator).
    // After a stale start the acknowledgement window starts again: the previous active's call
    // may have failed unseen.
    const window = Math.max(0, job.hard.ackDeadline - job.hard.firstAt);
    const ackDeadline = stale ? Math.max(job.hard.ackDeadline, tx.now + window) : job.hard.ackDeadline;
    const hard = {
      ...job.hard,
      attempt: job.hard.attempt + 1,
      inFlight: true,
      nextRetryAt: null,
      ackDeadline,
    };
    tx.apply({ op: "job", job: { ...job, hard } });
    const tag = { for: "job", key: job.key, jobId: job.id, step: "hard", log: job.log } as const;
    tx.device("reset", jobDevice(job), tag, Math.max(1, hard.ackDeadline - tx.now));
    tx.log({ type: "HARDRESET", dir: "SEND", ctx: job.log });
    tx.setTimer(jobTimerId(job.key), hard.ackDeadline);
  } else if (job.phase === "pduCut" && job.cut) {
    for (const o of job.cut.pending) {
      const tag = { for: "job", key: job.key, jobId: job.id, step: "cut", log: job.log } as const;
      tx.device("off", { type: "outlet", pdu: o.pdu, outlet: o.outlet }, tag);
    }
  }
}

/** `start`: resume jobs and restores from the state, begin polling; a stale start opens the window. */
export function resume(tx: Tx, stale: boolean): void {
  if (stale) {
    const until = tx.now + staleWindowMs(tx.state);
    tx.setLocal({ staleUntil: Math.max(tx.state.local.staleUntil, until) });
    tx.notice(
      "warn",
      `started with a state that may miss the previous active's last actions: new RESETs wait ${until - tx.now} ms, hardware resets of resumed jobs ${tx.options.takeoverDumpGraceMs} ms`,
    );
  }
  for (const job of Object.values(tx.shared.jobs) as Job[]) resumeJob(tx, job, stale);
  for (const restore of Object.values(tx.shared.restores)) {
    tx.apply({ op: "restore", restore: { ...restore, started: false } });
    tx.setTimer(restoreTimerId(restore.id), Math.max(tx.now, restore.at));
  }
  if (!tx.state.local.polling) startPolling(tx);
}
