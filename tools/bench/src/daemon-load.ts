// The load the whole-daemon bench puts on haconnd and how it times it: every HA monitor sends a
// CHECK every 10 s, the monitors evenly phased (256 monitors: one CHECK every ~39 ms), and at
// each of those ticks one datagram to the echo control, from the same prober. A CHECK's round
// trip and the echo's are measured the same way, so their difference is the daemon's.
import { createSocket, type Socket } from "node:dgram";
import type { MonitorEntry } from "./daemon-maxima.js";

export interface Sample {
  at: number;
  ms: number;
}

export class CheckLoad {
  readonly checks: Sample[] = [];
  readonly echoes: Sample[] = [];
  readonly lostChecks: number[] = [];
  #timer: NodeJS.Timeout | undefined;
  #echo: Socket | undefined;
  #pending = new Map<number, number>();
  #seq = 0;
  #next = 0;

  constructor(
    private readonly monitors: readonly MonitorEntry[],
    private readonly echoPort: number,
    private readonly periodMs = 10_000,
  ) {}

  async start(): Promise<void> {
    const echo = createSocket("udp4");
    echo.on("message", (msg) => {
      const seq = msg.readUInt32BE(0);
      const t0 = this.#pending.get(seq);
      if (t0 === undefined) return;
      this.#pending.delete(seq);
      this.echoes.push({ at: t0, ms: performance.now() - t0 });
    });
    await new Promise<void>((resolve) => echo.bind(0, "127.0.0.1", () => resolve()));
    this.#echo = echo;
    const tickMs = this.periodMs / this.monitors.length;
    const started = performance.now();
    let ticks = 0;
    const tick = () => {
      // Catch up on a late timer without bunching: one tick per period slot.
      const due = Math.floor((performance.now() - started) / tickMs);
      for (; ticks <= due; ticks++) this.#fire();
      this.#timer = setTimeout(tick, Math.max(0, started + (ticks + 0) * tickMs - performance.now()));
    };
    tick();
  }

  #fire(): void {
    const m = this.monitors[this.#next++ % this.monitors.length]!;
    const t0 = performance.now();
    m.monitor.check(2000).then(
      (reply) => {
        if (reply) this.checks.push({ at: t0, ms: performance.now() - t0 });
        else this.lostChecks.push(t0);
      },
      () => this.lostChecks.push(t0),
    );
    const seq = this.#seq++;
    const buf = Buffer.alloc(16);
    buf.writeUInt32BE(seq, 0);
    this.#pending.set(seq, performance.now());
    this.#echo?.send(buf, this.echoPort, "127.0.0.1");
    if (this.#pending.size > 10_000) this.#pending.clear();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#echo?.close();
  }

  /** Round trips of CHECKs / echoes sent in [from, to). */
  window(from: number, to: number): { checks: number[]; echoes: number[] } {
    const pick = (s: Sample[]) => s.filter((x) => x.at >= from && x.at < to).map((x) => x.ms);
    return { checks: pick(this.checks), echoes: pick(this.echoes) };
  }
}
