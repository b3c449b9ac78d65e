// The reset path's repeat series and their cancel keys, as the daemon's service keeps them
// (apps/haconnd/src/reset-path/service.ts): RESET-RESULT and each ATTENTION copy repeat every
// second, at most 10 sends, until the ACK whose key matches. The simulated monitors do not
// acknowledge (their RESET retransmissions fetch the result again), so a series here ends only by
// its age or by a matching ACK — and a matching ACK can only come from the adversary, which is what
// the `unauthenticated-cancel` invariant looks for.
//   legacy keys (the daemon on this branch): result `addr:port/requestId`, attention `eventId/addr`;
//   hardened keys (rp-core, issue #17 point 4): attention also carries the monitor's port.

import type { Endpoint } from "@haconn/core";

const SERIES_MS = 10_000;

export type AckInput =
  | { kind: "result"; from: Endpoint; requestId: number; subsystem: number }
  | { kind: "attention"; from: Endpoint; eventId: number; subsystem: number };

export class AckBook {
  /** Per node: key → time the series ends by itself. */
  private readonly series = new Map<string, Map<string, number>>();

  constructor(
    private readonly now: () => number,
    private readonly hardened: boolean,
  ) {}

  private book(node: string): Map<string, number> {
    let b = this.series.get(node);
    if (!b) {
      b = new Map();
      this.series.set(node, b);
    }
    return b;
  }

  private resultKey(to: Endpoint, requestId: number): string {
    return `result/${to.addr}:${to.port}/${requestId}`;
  }

  private attentionKey(to: Endpoint, eventId: number): string {
    return this.hardened ? `attention/${eventId}/${to.addr}:${to.port}` : `attention/${eventId}/${to.addr}`;
  }

  result(node: string, to: Endpoint, requestId: number): void {
    this.book(node).set(this.resultKey(to, requestId), this.now() + SERIES_MS);
  }

  attention(node: string, to: Endpoint, eventId: number): void {
    this.book(node).set(this.attentionKey(to, eventId), this.now() + SERIES_MS);
  }

  /** A daemon stopped: its series are gone. */
  drop(node: string): void {
    this.series.delete(node);
  }

  /** An ACK reached `node`: the key of the live series it cancels, or null. */
  ack(node: string, a: AckInput): string | null {
    const key =
      a.kind === "result" ? this.resultKey(a.from, a.requestId) : this.attentionKey(a.from, a.eventId);
    const b = this.book(node);
    const until = b.get(key);
    if (until === undefined) return null;
    b.delete(key);
    return until > this.now() ? key : null;
  }
}
