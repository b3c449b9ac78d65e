// What the engine bench waits for: the daemon's device calls, its datagrams going out and
// coming in (hooks of engine-daemon.ts), and the start of each power-poll round.

import type { BenchDaemon, DeviceCall, FakeOp, ReceivedDatagram, SentDatagram } from "./engine-daemon.js";

/** Resolves with the `at` of the first event `subscribe` reports that `match` accepts. */
export function nextEvent<E extends { at: number }>(
  subscribe: (listener: (e: E) => void) => () => void,
  match: (e: E) => boolean,
  timeoutMs: number,
  what: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`${what} within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = subscribe((e) => {
      if (!match(e)) return;
      clearTimeout(timer);
      off();
      resolve(e.at);
    });
  });
}

/** Resolves with the time of the next `op` call on `system`'s BMC. */
export function nextCall(bd: BenchDaemon, system: string, op: FakeOp, timeoutMs: number): Promise<number> {
  return nextEvent<DeviceCall>(
    (l) => bd.devices.onCall(l),
    (c) => c.op === op && c.device.type === "bmc" && c.device.system === system,
    timeoutMs,
    `no ${op} on ${system}`,
  );
}

/** When the daemon hands the first ATTENTION `state` about `subsystem` to the kernel. */
export function nextAttentionSent(
  bd: BenchDaemon,
  subsystem: number,
  state: string,
  timeoutMs: number,
): Promise<number> {
  return nextEvent<SentDatagram>(
    (l) => bd.onSend(l),
    ({ message: m }) =>
      m.type === "attention" && m.body.targetSubsystem === subsystem && m.body.state === state,
    timeoutMs,
    `no ATTENTION ${state} for ${subsystem} sent`,
  );
}

/** When the daemon's reset-path handler begins on the datagram `bytes` (just sent, same tick). */
export function received(bd: BenchDaemon, bytes: Uint8Array, timeoutMs: number): Promise<number> {
  return nextEvent<ReceivedDatagram>(
    (l) => bd.onReceive(l),
    (r) => Buffer.compare(r.bytes, bytes) === 0,
    timeoutMs,
    "datagram not received by the daemon",
  );
}

/** Start times of the daemon's power-poll rounds (a burst of status calls). */
export class PollRounds {
  readonly starts: number[] = [];
  private last = -Infinity;
  constructor(bd: BenchDaemon) {
    bd.devices.onCall((c) => {
      if (c.op !== "status") return;
      if (c.at - this.last > 1000) this.starts.push(c.at);
      this.last = c.at;
    });
  }
  before(t: number): number | undefined {
    return this.starts.findLast((s) => s <= t);
  }
}
