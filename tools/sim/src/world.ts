// The simulated world's clock, scheduler and record: one priority queue of timed events, a
// seeded PRNG, a trace ring (the last steps, printed with a violation) and the violations.
// Time is whole simulated milliseconds from 0; nothing here reads the real clock.

import { EventQueue } from "./event-queue.js";
import { Rng } from "./prng.js";

export interface Violation {
  invariant: InvariantName;
  at: number;
  message: string;
}

export type InvariantName =
  | "single-active"
  | "single-vip"
  | "unrequested-reset"
  | "pair-race"
  | "one-result"
  | "result-missing"
  | "reset-after-dump"
  | "forged-dump"
  | "unauthenticated-cancel"
  | "fence-not-down";

export class World {
  now = 0;
  readonly rng: Rng;
  readonly violations: Violation[] = [];
  steps = 0;
  private readonly queue = new EventQueue();
  private seq = 0;
  private readonly ring: string[];
  private readonly ringAt: number[];
  private ringPos = 0;
  /** Every step when true (replay of one seed); otherwise only the last `ring.length`. */
  readonly full: string[] | null;

  constructor(seed: number, opts: { traceSize?: number; fullTrace?: boolean } = {}) {
    this.rng = new Rng(seed);
    this.ring = new Array<string>(opts.traceSize ?? 40).fill("");
    this.ringAt = new Array<number>(this.ring.length).fill(0);
    this.full = opts.fullTrace ? [] : null;
  }

  /** Runs `run` after `delay` ms (0 = later in this millisecond, after what is queued). */
  schedule(delay: number, label: string, run: () => void): void {
    this.queue.push({ at: this.now + Math.max(0, Math.floor(delay)), seq: this.seq++, label, run });
  }

  note(line: string): void {
    this.ring[this.ringPos] = line;
    this.ringAt[this.ringPos] = this.now;
    this.ringPos = (this.ringPos + 1) % this.ring.length;
    this.full?.push(`${this.now} ${line}`);
  }

  violate(invariant: InvariantName, message: string): void {
    this.note(`VIOLATION ${invariant}: ${message}`);
    this.violations.push({ invariant, at: this.now, message });
  }

  /** Runs every event due up to `end`, calling `afterStep` after each one. */
  runUntil(end: number, afterStep: () => void, stopOnViolation: boolean): void {
    for (;;) {
      const ev = this.queue.pop();
      if (!ev) break;
      if (ev.at > end) {
        this.queue.push(ev);
        break;
      }
      this.now = ev.at;
      this.steps++;
      this.note(ev.label);
      ev.run();
      afterStep();
      if (stopOnViolation && this.violations.length > 0) return;
    }
    this.now = end;
  }

  /** The last steps, oldest first. */
  trace(): string[] {
    if (this.full) return [...this.full];
    const out: string[] = [];
    for (let i = 0; i < this.ring.length; i++) {
      const j = (this.ringPos + i) % this.ring.length;
      if (this.ring[j] !== "") out.push(`${this.ringAt[j]} ${this.ring[j]}`);
    }
    return out;
  }
}
