// The reset job of one target: soft (NMI, wait for the DUMP notice until `hardAt`) → hard
// (hardware reset, wait for the acknowledgement until `ackDeadline`, re-issuing after failures)
// → pduCut (every outlet of the server, physical servers with ipdusd on) → done.
// One timer per job (`job:<key>`) wakes it at its next deadline; stale wake-ups are harmless.

import { answer, sendAttention } from "./attention.js";
import { scheduleRestore } from "./restore.js";
import type { Tx } from "./tx.js";
import type {
  AttentionState,
  DeviceRef,
  EngineEvent,
  Job,
  LogContext,
  MonitorRecord,
  OpTag,
  Requester,
  ResetResult,
  StoredStatus,
} from "./types.js";

type DeviceResult = Extract<EngineEvent, { type: "deviceResult" }>;

export function jobTimerId(key: string): string {
  return `job:${key}`;
}

export function jobDevice(job: Pick<Job, "system" | "vmName">): DeviceRef {
  return job.vmName === null
    ? { type: "bmc", system: job.system }
    : { type: "guest", system: job.system, vmName: job.vmName };
}

function tag(job: Job, step: "nmi" | "hard" | "cut"): OpTag {
  return { for: "job", key: job.key, jobId: job.id, step, log: job.log };
}

function put(tx: Tx, job: Job): Job {
  tx.apply({ op: "job", job });
  return job;
}

function hardResetDelay(tx: Tx, record: Pick<MonitorRecord, "vmName">): number {
  return record.vmName === null ? tx.config.hardResetDelayMs : tx.options.guestHardResetDelayMs;
}

export function startJob(
  tx: Tx,
  record: MonitorRecord,
  requester: Requester | null,
  test: { commandId: string } | null,
  log: LogContext,
): Job {
  const wait = test ? tx.options.testDumpWaitMs : hardResetDelay(tx, record);
  const job = put(tx, {
    id: tx.nextJobId(),
    key: record.key,
    system: record.system,
    subsystem: record.subsystem,
    port: record.port,
    vmName: record.vmName,
    category: record.vmName === null ? "P" : "V",
    requesters: requester ? [requester] : [],
    test,
    phase: "soft",
    startedAt: tx.now,
    nmiAt: tx.now,
    nmiState: "pending",
    hardAt: tx.now + wait,
    hard: null,
    cut: null,
    log,
  });
  tx.device("nmi", jobDevice(job), tag(job, "nmi"));
  tx.log({ type: "SOFTRESET", dir: "SEND", ctx: log });
  tx.setTimer(jobTimerId(job.key), job.hardAt);
  return job;
}

/** A real RESET for a target under a `haconnserver reset` test: the test becomes a real job. */
export function upgradeTestJob(tx: Tx, job: Job, requester: Requester, record: MonitorRecord): void {
  const commandId = job.test?.commandId;
  const hardAt = job.nmiAt + hardResetDelay(tx, record);
  const log: LogContext = {
    ...job.log,
    ip: requester.addr,
    port: String(requester.port),
    req: String(requester.subsystem),
  };
  const next = put(tx, { ...job, test: null, requesters: [...job.requesters, requester], hardAt, log });
  if (commandId !== undefined) {
    tx.emit({
      kind: "commandResult",
      id: commandId,
      ok: false,
      code: "SUPERSEDED",
      message: "a reset request for this system took over the test",
    });
  }
  if (next.phase === "soft" && next.nmiState === "failed") {
    goHard(tx, next);
    return;
  }
  if (next.phase === "soft") tx.setTimer(jobTimerId(next.key), Math.max(tx.now, hardAt));
}

function ackWindowMs(tx: Tx, job: Job): number {
  const server = tx.server(job.system);
  if (job.vmName === null && server?.ipdusd && server.timeoutSec) return server.timeoutSec * 1000;
  return tx.options.hardResetAckTimeoutMs;
}

function goHard(tx: Tx, job: Job): void {
  const window = ackWindowMs(tx, job);
  const next = put(tx, {
    ...job,
    phase: "hard",
    hard: { attempt: 1, inFlight: true, firstAt: tx.now, ackDeadline: tx.now + window, nextRetryAt: null },
  });
  tx.device("reset", jobDevice(next), tag(next, "hard"), window);
  tx.log({ type: "HARDRESET", dir: "SEND", ctx: next.log });
  tx.setTimer(jobTimerId(next.key), tx.now + window);
}

function retryHard(tx: Tx, job: Job): void {
  const hard = job.hard!;
  const next = put(tx, {
    ...job,
    hard: { ...hard, attempt: hard.attempt + 1, inFlight: true, nextRetryAt: null },
  });
  tx.device("reset", jobDevice(next), tag(next, "hard"), hard.ackDeadline - tx.now);
  tx.log({ type: "HARDRESET", dir: "SEND", ctx: next.log });
  tx.setTimer(jobTimerId(next.key), hard.ackDeadline);
}

function escalate(tx: Tx, job: Job): void {
  const server = tx.server(job.system);
  if (job.vmName === null && server?.ipdusd && server.outlets.length > 0) {
    const outlets = server.outlets.map((o) => ({ pdu: o.pdu, outlet: o.outlet }));
    const next = put(tx, { ...job, phase: "pduCut", cut: { pending: outlets, done: [], failed: [] } });
    tx.clearTimer(jobTimerId(job.key));
    tx.notice(
      "warn",
      `${job.system} ${job.subsystem}: no hardware-reset acknowledgement, cutting PDU outlets`,
    );
    for (const o of outlets) {
      tx.device("off", { type: "outlet", pdu: o.pdu, outlet: o.outlet }, tag(next, "cut"));
      tx.log({
        type: "IPDUSD",
        dir: "SEND",
        ctx: next.log,
        pduAddr: tx.pdu(o.pdu)?.addr ?? o.pdu,
        outlet: o.outlet,
        action: "OFF",
      });
    }
    return;
  }
  finish(tx, job, null, "FAIL", "error", "no hardware-reset acknowledgement");
}

/** Ends a job: ATTENTION to the cluster first, then the result to every requester. */
export function finish(
  tx: Tx,
  job: Job,
  attention: AttentionState | null,
  result: ResetResult,
  status: StoredStatus,
  why: string,
): void {
  tx.apply({ op: "jobRemoved", key: job.key });
  tx.clearTimer(jobTimerId(job.key));
  const record = tx.shared.monitors[job.key];
  if (record) tx.apply({ op: "monitor", record: { ...record, status, statusSince: tx.now } });
  if (attention) sendAttention(tx, job, attention);
  for (const r of job.requesters) {
    const ctx: LogContext = { ...job.log, ip: r.addr, port: String(r.port), req: String(r.subsystem) };
    answer(tx, r, r.subsystem, r.requestId, job.system, job.subsystem, result, ctx, job.key);
  }
  if (job.test) {
    const ok = result === "DUMP" && attention === "DUMP";
    tx.emit({
      kind: "commandResult",
      id: job.test.commandId,
      ok,
      code: ok ? null : result,
      message: ok ? `DUMP notice ${Math.round(tx.now - job.nmiAt)} ms after the software reset` : why,
    });
  }
  if (result === "FAIL") tx.notice("error", `${job.system} ${job.subsystem}: reset failed: ${why}`);
}

/** `job:<key>` timer: the next deadline of the job may have come. */
export function wakeJob(tx: Tx, job: Job): void {
  if (job.phase === "soft") {
    if (tx.now < job.hardAt) {
      tx.setTimer(jobTimerId(job.key), job.hardAt);
      return;
    }
    if (job.test) {
      finish(tx, job, null, "FAIL", "normal", `no DUMP notice within ${tx.options.testDumpWaitMs} ms`);
      return;
    }
    goHard(tx, job);
    return;
  }
  if (job.phase === "hard" && job.hard) {
    const { ackDeadline, inFlight, nextRetryAt } = job.hard;
    if (tx.now >= ackDeadline) {
      escalate(tx, job);
      return;
    }
    if (!inFlight && nextRetryAt !== null && tx.now >= nextRetryAt) {
      retryHard(tx, job);
      return;
    }
    tx.setTimer(jobTimerId(job.key), nextRetryAt === null ? ackDeadline : Math.min(nextRetryAt, ackDeadline));
  }
}

/** A DUMP notice for a target with a job. Returns false when the notice changes nothing. */
export function dumpForJob(tx: Tx, job: Job): boolean {
  // Soft phase: the normal path. Hard phase: the hardware reset is already issued and is
  // neither cancelled nor re-issued; the target is stopped, so the job completes now and the
  // late acknowledgement is only logged. PDU-cut phase: the cut runs to its end (restore).
  if (job.phase === "pduCut") return false;
  finish(tx, job, "DUMP", "DUMP", "dump", "DUMP notice");
  return true;
}

function sameJob(tx: Tx, ev: DeviceResult): Job | undefined {
  if (ev.tag.for !== "job") return undefined;
  const job = tx.shared.jobs[ev.tag.key];
  return job && job.id === ev.tag.jobId ? job : undefined;
}

export function onJobDeviceResult(tx: Tx, ev: DeviceResult): void {
  if (ev.tag.for !== "job") return;
  const { step, log } = ev.tag;
  const job = sameJob(tx, ev);
  if (step === "nmi") {
    if (ev.ok) tx.log({ type: "SOFTRESET", dir: "RECV", ctx: log });
    if (job?.phase !== "soft" || job.nmiState !== "pending") return;
    if (ev.ok) {
      put(tx, { ...job, nmiState: "ok" });
      return;
    }
    tx.notice("warn", `${job.system} ${job.subsystem}: software reset failed (${ev.code}): ${ev.message}`);
    const failed = put(tx, { ...job, nmiState: "failed" });
    if (failed.test) {
      finish(tx, failed, null, "FAIL", "normal", `software reset failed: ${ev.code}`);
      return;
    }
    goHard(tx, failed);
    return;
  }
  if (step === "hard") {
    if (ev.ok) tx.log({ type: "HARDRESET", dir: "RECV", ctx: log });
    if (job?.phase !== "hard" || !job.hard) return;
    if (ev.ok) {
      finish(tx, job, "REBOOT", "DUMP", "dump", "hardware reset acknowledged");
      return;
    }
    tx.notice("warn", `${job.system} ${job.subsystem}: hardware reset failed (${ev.code}): ${ev.message}`);
    const nextRetryAt = tx.now + tx.options.hardResetRetryMs;
    const next = put(tx, { ...job, hard: { ...job.hard, inFlight: false, nextRetryAt } });
    tx.setTimer(jobTimerId(next.key), Math.min(nextRetryAt, job.hard.ackDeadline));
    return;
  }
  // step === "cut"
  if (ev.device.type !== "outlet") return;
  const { pdu, outlet } = ev.device;
  if (ev.ok) {
    tx.log({
      type: "IPDUSD",
      dir: "RECV",
      ctx: log,
      pduAddr: tx.pdu(pdu)?.addr ?? pdu,
      outlet,
      action: "OFF",
    });
  }
  if (job?.phase !== "pduCut" || !job.cut) return;
  const match = (o: { pdu: string; outlet: number }) => o.pdu === pdu && o.outlet === outlet;
  if (!job.cut.pending.some(match)) return;
  const cut = {
    pending: job.cut.pending.filter((o) => !match(o)),
    done: ev.ok ? [...job.cut.done, { pdu, outlet }] : job.cut.done,
    failed: ev.ok ? job.cut.failed : [...job.cut.failed, { pdu, outlet }],
  };
  const next = put(tx, { ...job, cut });
  if (cut.pending.length > 0) return;
  const server = tx.server(job.system);
  const recoverySec = server?.recoveryTimeSec ?? 0;
  if (recoverySec > 0 && cut.done.length > 0) {
    scheduleRestore(tx, next.id, next.system, cut.done, tx.now + recoverySec * 1000, next.log);
  }
  if (cut.failed.length > 0) {
    finish(tx, next, null, "FAIL", "error", `PDU cut failed on ${cut.failed.length} outlet(s)`);
    return;
  }
  if (recoverySec > 0) {
    finish(tx, next, "REBOOT", "DUMP", "dump", "PDU outlets cut");
    return;
  }
  finish(tx, next, "POFF", "POFF", "poff", "PDU outlets cut, power left off");
}
