// The reset path's repeat series: a RESET-RESULT or an ATTENTION copy is sent every second, at
// most REPEAT_MAX_SENDS times, until the matching ACK cancels it (service.ts). Series may have an
// owner (a requester: address / subsystem) with a cap on its series at once: a further one is
// sent once, without a timer. Without a key, a flood of RESETs from a spoofed registered address
// naming a target already reset (each answered DUMP from the state) then costs no timer per
// datagram and no tenfold answer.

import type { Clock, TimerHandle } from "@haconn/core";
import { REPEAT_INTERVAL_MS, REPEAT_MAX_SENDS } from "@haconn/protocol";

/** RESET-RESULT series that repeat at once per requester (address, subsystem); more are sent once. */
export const SERIES_PER_OWNER = 8;

export class Repeats {
  private readonly timers = new Map<string, TimerHandle>();
  private readonly byOwner = new Map<string, Set<string>>();
  private readonly ownerOf = new Map<string, string>();

  constructor(private readonly clock: Clock) {}

  get size(): number {
    return this.timers.size;
  }

  /** Owners with series running (bounded by the registrations). */
  get owners(): number {
    return this.byOwner.size;
  }

  /** Starts (or restarts) the series `key`; with an owner at its cap, sends once only. */
  start(key: string, sendOnce: (attempt: number) => void, owner?: string): void {
    if (owner !== undefined) {
      const series = this.byOwner.get(owner) ?? new Set<string>();
      if (!series.has(key) && series.size >= SERIES_PER_OWNER) {
        try {
          sendOnce(0);
        } catch {
          // like a lost datagram: the requester retransmits its RESET and gets the result again
        }
        return;
      }
      series.add(key);
      this.byOwner.set(owner, series);
      this.ownerOf.set(key, owner);
    }
    this.step(key, sendOnce, 0);
  }

  private step(key: string, sendOnce: (attempt: number) => void, attempt: number): void {
    this.clearTimer(key);
    if (attempt >= REPEAT_MAX_SENDS) {
      this.release(key);
      return;
    }
    try {
      sendOnce(attempt);
    } catch {
      // a send error (e.g. no route) is retried like a lost datagram
    }
    this.timers.set(
      key,
      this.clock.setTimeout(() => this.step(key, sendOnce, attempt + 1), REPEAT_INTERVAL_MS),
    );
  }

  /** Stops the series `key`; false when there was none. */
  cancel(key: string): boolean {
    if (!this.clearTimer(key)) return false;
    this.release(key);
    return true;
  }

  clear(): void {
    for (const t of this.timers.values()) this.clock.clearTimeout(t);
    this.timers.clear();
    this.byOwner.clear();
    this.ownerOf.clear();
  }

  private clearTimer(key: string): boolean {
    const t = this.timers.get(key);
    if (t === undefined) return false;
    this.clock.clearTimeout(t);
    this.timers.delete(key);
    return true;
  }

  private release(key: string): void {
    const owner = this.ownerOf.get(key);
    if (owner === undefined) return;
    this.ownerOf.delete(key);
    const series = this.byOwner.get(owner);
    series?.delete(key);
    if (series?.size === 0) this.byOwner.delete(owner);
  }
}
