// A Clock whose time moves only when a test advances it. Timers fire in due order, each with
// the clock set to its due time; pending promise callbacks run between timers.

import type { Clock, TimerHandle } from "../clock.js";

interface SimTimer {
  id: number;
  at: number;
  callback: () => void;
}

/** Lets every settled promise chain run (driver results, executor callbacks). */
export function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A `Clock` whose time moves only when told (`advance`, `flush`): timers fire in order, nothing sleeps. */
export class SimulatedClock implements Clock {
  private time: number;
  private seq = 0;
  private timers: SimTimer[] = [];

  /** Starts at 2026-04-01T00:00:00Z unless told otherwise. */
  constructor(start = Date.UTC(2026, 3, 1, 0, 0, 0)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer = { id: ++this.seq, at: this.time + Math.max(0, ms), callback };
    this.timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  /** Number of timers not yet fired. */
  get pending(): number {
    return this.timers.length;
  }

  private nextDue(limit: number): SimTimer | undefined {
    let best: SimTimer | undefined;
    for (const t of this.timers) {
      if (t.at <= limit && (!best || t.at < best.at || (t.at === best.at && t.id < best.id))) best = t;
    }
    return best;
  }

  /** Moves time forward by `ms`, firing every timer due on the way (at its due time). */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    await flushMicrotasks();
    for (let t = this.nextDue(target); t; t = this.nextDue(target)) {
      this.timers = this.timers.filter((x) => x !== t);
      this.time = Math.max(this.time, t.at);
      t.callback();
      await flushMicrotasks();
    }
    this.time = target;
    await flushMicrotasks();
  }

  /** Advances to an absolute time. */
  async advanceTo(at: number): Promise<void> {
    await this.advance(Math.max(0, at - this.time));
  }

  /**
   * Sets the time without firing the timers that became due: models an event that was
   * processed before a timer due at the same instant. The next advance/flush fires them.
   */
  moveTo(at: number): void {
    this.time = Math.max(this.time, at);
  }

  /** Fires what is due now and settles pending callbacks, without moving time. */
  async flush(): Promise<void> {
    await this.advance(0);
  }
}
