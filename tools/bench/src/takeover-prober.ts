// The bench's side of the prober child (takeover-probe.ts) running in the HA monitor's
// namespace: start/stop probing, and wait for the first answer that matches.

import type { ChildProcess } from "node:child_process";
import type { ProbeAnswer } from "./takeover-probe.js";
import { jsonLines } from "./takeover-lab.js";

export class ProberClient {
  readonly answers: ProbeAnswer[] = [];
  #waiters: { match: (a: ProbeAnswer) => boolean; resolve: (a: ProbeAnswer) => void }[] = [];
  #acks: (() => void)[] = [];

  constructor(readonly child: ChildProcess) {
    jsonLines(child, (v) => {
      if (typeof v.ack === "string") {
        this.#acks.shift()?.();
        return;
      }
      const a = v as unknown as ProbeAnswer;
      this.answers.push(a);
      if (this.answers.length > 10_000) this.answers.splice(0, 5_000);
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.match(a)) return true;
        w.resolve(a);
        return false;
      });
    });
  }

  #command(line: string): Promise<void> {
    return new Promise((resolve) => {
      this.#acks.push(resolve);
      this.child.stdin!.write(`${line}\n`);
    });
  }

  /** Sends a CHECK (or an echo datagram) to host:port every `ms` until stop(). */
  start(kind: "check" | "echo", host: string, port: number, ms: number): Promise<void> {
    return this.#command(`${kind} ${host} ${port} ${ms}`);
  }

  stop(): Promise<void> {
    return this.#command("stop");
  }

  /** The first answer (already received or to come) matching, or undefined after timeoutMs. */
  first(match: (a: ProbeAnswer) => boolean, timeoutMs: number): Promise<ProbeAnswer | undefined> {
    const seen = this.answers.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => {
      const waiter = {
        match,
        resolve: (a: ProbeAnswer) => {
          clearTimeout(timer);
          resolve(a);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        resolve(undefined);
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }
}
