// The active's view of what the standby holds: the highest state version the standby
// acknowledged (SYNC-ACK) on the current stream, and waiters for a version. Used to acknowledge
// a DUMP notice only once the standby knows it (docs/reliability.md, F1).

import type { Clock } from "@haconn/core";

interface Waiter {
  version: number;
  done(ok: boolean): void;
}

export class ReplicationAcks<S extends object> {
  private acked: { stream: S; version: number } | undefined;
  private waiters: Waiter[] = [];

  constructor(private readonly clock: Clock) {}

  /** The standby acknowledged `version` on `stream`. */
  ack(stream: S, version: number): void {
    if (!this.acked || this.acked.stream !== stream || version > this.acked.version)
      this.acked = { stream, version };
    for (const w of this.waiters.filter((x) => x.version <= version)) w.done(true);
  }

  /**
   * Resolves true once `version` is acknowledged on `stream`; false at once when nothing was
   * acknowledged on that stream yet (no synchronised standby), or after `timeoutMs`.
   */
  wait(stream: S | undefined, version: number, timeoutMs: number): Promise<boolean> {
    if (!stream || this.acked?.stream !== stream) return Promise.resolve(false);
    if (this.acked.version >= version) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => waiter.done(false), timeoutMs);
      const waiter: Waiter = {
        version,
        done: (ok) => {
          this.clock.clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve(ok);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** The stream closed: nothing more will be acknowledged on it. */
  streamClosed(stream: S): void {
    if (this.acked?.stream !== stream) return;
    this.acked = undefined;
    for (const w of [...this.waiters]) w.done(false);
  }
}
