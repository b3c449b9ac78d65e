// What else happened while a phase ran, to read its outliers: the event loop's delay (how late
// a 1 ms timer ran: the process was busy or not scheduled), garbage-collection pauses, the
// machine's load average, and how often the main thread (the daemon's reset path) was
// preempted and how long it waited for a CPU (Linux /proc/thread-self).

import { monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";

/** The calling thread's involuntary context switches and run-queue wait (ms); zeros without /proc. */
function mainThreadSched(): { preempted: number; runQueueMs: number } {
  try {
    const status = readFileSync("/proc/thread-self/status", "latin1");
    const preempted = Number(/nonvoluntary_ctxt_switches:\s*(\d+)/.exec(status)?.[1] ?? 0);
    const runQueueNs = Number(readFileSync("/proc/thread-self/schedstat", "latin1").split(" ")[1] ?? 0);
    return { preempted, runQueueMs: runQueueNs / 1e6 };
  } catch {
    return { preempted: 0, runQueueMs: 0 };
  }
}

export interface PhaseContext {
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  gcPauses: number;
  gcMaxMs: number;
  load1: number;
  /** The main thread: involuntary context switches, and ms spent runnable but not running. */
  preempted: number;
  runQueueMs: number;
}

export class ContextProbe {
  private readonly histogram: ReturnType<typeof monitorEventLoopDelay> = monitorEventLoopDelay({
    resolution: 1,
  });
  private readonly observer: PerformanceObserver;
  private gcPauses = 0;
  private gcMaxMs = 0;
  /** [start, end] of each GC pause, performance.now() time. */
  readonly gcSpans: Array<[number, number]> = [];
  private readonly sched0 = mainThreadSched();

  constructor() {
    this.observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        this.gcPauses += 1;
        this.gcMaxMs = Math.max(this.gcMaxMs, e.duration);
        this.gcSpans.push([e.startTime, e.startTime + e.duration]);
      }
    });
    this.observer.observe({ entryTypes: ["gc"] });
    this.histogram.enable();
  }

  /** Milliseconds of GC pause inside [from, to]. */
  gcWithin(from: number, to: number): number {
    let ms = 0;
    for (const [a, b] of this.gcSpans) ms += Math.max(0, Math.min(b, to) - Math.max(a, from));
    return ms;
  }

  finish(): PhaseContext {
    this.histogram.disable();
    this.observer.disconnect();
    return {
      loopDelayP99Ms: this.histogram.percentile(99) / 1e6,
      loopDelayMaxMs: this.histogram.max / 1e6,
      gcPauses: this.gcPauses,
      gcMaxMs: this.gcMaxMs,
      load1: loadavg()[0] ?? Number.NaN,
      preempted: mainThreadSched().preempted - this.sched0.preempted,
      runQueueMs: mainThreadSched().runQueueMs - this.sched0.runQueueMs,
    };
  }
}

export function describeContext(label: string, c: PhaseContext): string {
  return (
    `${label}: event-loop delay p99 ${c.loopDelayP99Ms.toFixed(2)} ms, max ${c.loopDelayMaxMs.toFixed(1)} ms; ` +
    `${c.gcPauses} GC pauses, longest ${c.gcMaxMs.toFixed(1)} ms; load average ${c.load1.toFixed(2)} ` +
    "(2 cores shared with whatever else runs); " +
    `main thread preempted ${c.preempted} times, ${c.runQueueMs.toFixed(1)} ms waiting for a CPU`
  );
}
