// Node's helper threads run at a lower CPU priority than the main thread, which is the reset
// path: it decodes a RESET or a DUMP notice, runs the engine and sends the NMI / ATTENTION.
//
// Why (measured with the engine bench, README "Figures"): on a 2-core machine, V8's worker
// threads (concurrent compilation and GC) woke on the main thread's CPU and preempted it for
// 0.1–0.6 ms in the middle of a DUMP notice's engine step: /proc/thread-self/schedstat showed the
// main thread waiting in the run queue as long as a V8Worker thread ran (its own schedstat).
// A helper at nice +10 does not preempt a nice-0 thread when it wakes, and still runs at once
// on a free CPU.
//
// Only threads with the names Node gives its helpers are touched (V8's platform workers and
// delayed-task scheduler, libuv's pool, the signal watcher); the main thread, Node Worker
// threads and child processes (ipmitool is spawned from the main thread) keep their priority.
// The ESXi worker thread (esxi-worker/) lowers itself by the same offset when it starts.
// Raising a nice value needs no privilege. libuv starts its pool on first use, so `scan` runs
// again later and lowers threads that appeared since.

import { readdirSync, readFileSync } from "node:fs";
import { getPriority, setPriority } from "node:os";
import { HaconnError } from "@haconn/config";

export const HELPER_THREAD_NAMES: ReadonlySet<string> = new Set([
  "V8Worker",
  "DelayedTaskSche", // "DelayedTaskScheduler", cut to the kernel's 15 characters
  "libuv-worker",
  "SignalInspector",
]);

/** The default: helpers run 10 nice levels below the main thread. */
export const DEFAULT_HELPER_NICE_OFFSET = 10;
const NICE_MAX = 19;

export interface ThreadInfo {
  tid: number;
  name: string;
  nice: number;
}

export interface PriorityChange {
  tid: number;
  name: string;
  from: number;
  to: number;
}

/** Which threads to lower, and to what: helpers above `mainNice + offset` are left alone. */
export function planHelperPriorities(
  threads: readonly ThreadInfo[],
  mainTid: number,
  mainNice: number,
  offset: number,
): PriorityChange[] {
  const to = Math.min(NICE_MAX, mainNice + offset);
  return threads
    .filter((t) => t.tid !== mainTid && HELPER_THREAD_NAMES.has(t.name) && t.nice < to)
    .map((t) => ({ tid: t.tid, name: t.name, from: t.nice, to }));
}

/** HACONN_HELPER_NICE: unset = the default offset, "off" = leave priorities alone, 1–19. */
export function parseHelperNice(value: string | undefined): number | null {
  if (value === undefined || value === "") return DEFAULT_HELPER_NICE_OFFSET;
  if (value === "off") return null;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > NICE_MAX) {
    throw new HaconnError(
      "CONFIG_HELPER_NICE",
      `HACONN_HELPER_NICE must be off or an integer 1-${NICE_MAX}, not "${value}"`,
    );
  }
  return n;
}

export interface ScanResult {
  changed: PriorityChange[];
  /** Threads that could not be changed (exited meanwhile, or refused), with the reason. */
  failed: Array<{ tid: number; name: string; error: string }>;
}

/** The ids of this process's threads (Linux /proc); [] where there is no /proc. */
export function threadIds(): number[] {
  try {
    return readdirSync("/proc/self/task").map(Number);
  } catch {
    return [];
  }
}

/** Name and nice value of each thread of `tids` that still runs. */
export function readThreads(tids: readonly number[]): ThreadInfo[] {
  const out: ThreadInfo[] = [];
  for (const tid of tids) {
    try {
      out.push({
        tid,
        name: readFileSync(`/proc/self/task/${tid}/comm`, "latin1").trim(),
        nice: getPriority(tid),
      });
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}

/**
 * Keeps the process's helper threads `offset` nice levels below the main thread. Threads seen
 * once are not read again, so a later `scan` costs one directory listing when nothing is new.
 */
export class HelperThreadPriority {
  private readonly seen = new Set<number>();

  constructor(private readonly offset: number) {}

  scan(): ScanResult {
    const tids = threadIds();
    // A thread id can be reused once its thread ended: forget the ids that are gone.
    const live = new Set(tids);
    for (const tid of this.seen) if (!live.has(tid)) this.seen.delete(tid);
    const threads = readThreads(tids.filter((tid) => !this.seen.has(tid)));
    const mainNice = getPriority(process.pid);
    const changed: PriorityChange[] = [];
    const failed: ScanResult["failed"] = [];
    for (const c of planHelperPriorities(threads, process.pid, mainNice, this.offset)) {
      try {
        setPriority(c.tid, c.to);
        changed.push(c);
      } catch (error) {
        failed.push({
          tid: c.tid,
          name: c.name,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    for (const t of threads) this.seen.add(t.tid);
    return { changed, failed };
  }
}

/** One line for the journal: what a scan changed, or null when it changed nothing. */
export function describeScan(result: ScanResult): string | null {
  if (result.changed.length === 0 && result.failed.length === 0) return null;
  const counts = new Map<string, number>();
  for (const c of result.changed) counts.set(c.name, (counts.get(c.name) ?? 0) + 1);
  const parts = [...counts].map(([name, n]) => `${n} ${name}`);
  const to = result.changed[0]?.to;
  let line = `haconnd: helper threads at nice ${to ?? "-"}: ${parts.join(", ") || "none"}`;
  if (result.failed.length > 0) {
    line += `; not changed: ${result.failed.map((f) => `${f.name}/${f.tid} (${f.error})`).join(", ")}`;
  }
  return line;
}

/**
 * Lowers the helper threads now and every `intervalMs` (unref'd: it never keeps the process
 * alive), reporting each change through `report`. Returns the function that stops it.
 */
export function keepHelperThreadsLow(
  offset: number,
  report: (line: string) => void,
  intervalMs = 60_000,
): () => void {
  const priority = new HelperThreadPriority(offset);
  const run = () => {
    const line = describeScan(priority.scan());
    if (line) report(line);
  };
  run();
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
