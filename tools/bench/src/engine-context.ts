// What else happened while a phase ran, to read its outliers: the event loop's delay (how late
// a 1 ms timer ran: the process was busy or not scheduled), garbage-collection pauses, the
// machine's load average, and the start times of the daemon's power-poll rounds.

import { monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";
import { loadavg } from "node:os";

export interface PhaseContext {
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  gcPauses: number;
  gcMaxMs: number;
  load1: number;
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
    };
  }
}

export function describeContext(label: string, c: PhaseContext): string {
  return (
    `${label}: event-loop delay p99 ${c.loopDelayP99Ms.toFixed(2)} ms, max ${c.loopDelayMaxMs.toFixed(1)} ms; ` +
    `${c.gcPauses} GC pauses, longest ${c.gcMaxMs.toFixed(1)} ms; load average ${c.load1.toFixed(2)} ` +
    "(2 cores shared with whatever else runs)"
  );
}
