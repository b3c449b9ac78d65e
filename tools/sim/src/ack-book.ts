// The reset path's repeat series and their cancel keys, as the daemon's service keeps them
// (apps/haconnd/src/reset-path/service.ts): RESET-RESULT and each ATTENTION copy repeat every
// second, at most 10 sends, until the ACK whose key matches. The simulated monitors do not
// acknowledge (their RESET retransmissions fetch the result again), so a series here ends only by
// its age or by a matching ACK — and a matching ACK can only come from the adversary, which is what
// the `unauthenticated-cancel` invariant looks for.
//   the daemon's keys (issue #17 point 4): the monitor's address, port and subsystem, and the id;
//   injected bug `ackKeysByAddress`: attention keyed by (eventId, address) alone, as before #17.

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
    private readonly byAddress: boolean,
  ) {}

  private book(node: string): Map<string, number> {
    let b = this.series.get(node);
    if (!b) {
      b = new Map();
      this.series.set(node, b);
    }
    return b;
  }

  private resultKey(to: Endpoint, subsystem: number, requestId: number): string {
    return this.byAddress
      ? `result/${to.addr}:${to.port}/${requestId}`
      : `result/${to.addr}:${to.port}/${subsystem}/${requestId}`;
  }

  private attentionKey(to: Endpoint, subsystem: number, eventId: number): string {
    return this.byAddress
      ? `attention/${eventId}/${to.addr}`
      : `attention/${eventId}/${to.addr}:${to.port}/${subsystem}`;
  }

  /** A RESET-RESULT series to the requester `subsystem` at `to`. */
  result(node: string, to: Endpoint, subsystem: number, requestId: number): void {
    this.book(node).set(this.resultKey(to, subsystem, requestId), this.now() + SERIES_MS);
  }

  /** An ATTENTION series to the monitor `subsystem` at `to`. */
  attention(node: string, to: Endpoint, subsystem: number, eventId: number): void {
    this.book(node).set(this.attentionKey(to, subsystem, eventId), this.now() + SERIES_MS);
  }

  /** A daemon stopped: its series are gone. */
  drop(node: string): void {
    this.series.delete(node);
  }

  /** An ACK reached `node`: the key of the live series it cancels, or null. */
  ack(node: string, a: AckInput): string | null {
    const key =
      a.kind === "result"
        ? this.resultKey(a.from, a.subsystem, a.requestId)
        : this.attentionKey(a.from, a.subsystem, a.eventId);
    const b = this.book(node);
    const until = b.get(key);
    if (until === undefined) return null;
    b.delete(key);
    return until > this.now() ? key : null;
  }
}
