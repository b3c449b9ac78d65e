// System-stop ("DUMP") notice from the dump tool of a target. Ours carries the subsystem
// number; fence_kdump's does not, the target is then found by its source address.

import { sendAttention } from "./attention.js";
import { dumpForJob } from "./job.js";
import { NA } from "./reset-log.js";
import type { Tx } from "./tx.js";
import type { EngineEvent, MonitorRecord } from "./types.js";

type DumpEvent = Extract<EngineEvent, { type: "dumpNotice" }>;

function resolve(tx: Tx, ev: DumpEvent): MonitorRecord | undefined {
  const all = Object.values(tx.shared.monitors);
  let candidates =
    ev.subsystem === null
      ? all.filter((m) => m.addr === ev.from.addr)
      : all.filter((m) => m.subsystem === ev.subsystem);
  if (candidates.length > 1) {
    const byAddr = candidates.filter((m) => m.addr === ev.from.addr);
    if (byAddr.length > 0) candidates = byAddr;
  }
  if (candidates.length > 1) {
    const withJob = candidates.filter((m) => tx.shared.jobs[m.key]);
    if (withJob.length > 0) candidates = withJob;
  }
  return candidates.sort((a, b) => a.key.localeCompare(b.key))[0];
}

export function handleDumpNotice(tx: Tx, ev: DumpEvent): void {
  const record = resolve(tx, ev);
  const sub = ev.subsystem ?? record?.subsystem;
  tx.log({
    type: "ATTENTION",
    dir: "RECV",
    ctx: {
      system: record?.system ?? NA,
      target: sub === undefined ? NA : String(sub),
      ip: ev.from.addr,
      port: String(ev.from.port),
      req: sub === undefined ? NA : String(sub),
      category: record ? (record.vmName === null ? "P" : "V") : NA,
    },
    state: "DUMP",
  });
  if (!record) {
    tx.notice("warn", `DUMP notice from ${ev.from.addr}:${ev.from.port} matches no registered system`);
    return;
  }
  const job = tx.shared.jobs[record.key];
  if (job) {
    if (!dumpForJob(tx, job))
      tx.notice("info", `DUMP notice for ${record.key} during the PDU cut: logged only`);
    return;
  }
  // No reset in progress: the system stopped by itself (panic → dump). Announce it once.
  if (record.status === "normal" || record.status === "error") {
    tx.apply({ op: "monitor", record: { ...record, status: "dump", statusSince: tx.now } });
    sendAttention(tx, { ...record, category: record.vmName === null ? "P" : "V" }, "DUMP");
  }
}
