// Samples the pair all along a pair drill: who holds the VIP and which node says it is active
// (every ~50 ms), and who answers CHECK at the VIP (one monitor, back to back). The samples go
// to vip-moves.ts for the timeline and the split-brain verdict.
import { setTimeout as sleep } from "node:timers/promises";
import type { HamonSimMonitor } from "../hamon-sim/index.js";
import { pairView } from "./nodes.js";
import { LAB_NODES } from "./pair-topology.js";
import type { UpState } from "./state.js";
import { vipHolders } from "./vip-holder.js";
import type { CheckSample, PairSample } from "./vip-moves.js";

export class PairWatch {
  readonly samples: PairSample[] = [];
  readonly checks: CheckSample[] = [];
  private running = true;
  private readonly loops: Promise<void>[];

  constructor(
    private readonly state: UpState,
    monitor: HamonSimMonitor | undefined,
    everyMs = 50,
  ) {
    this.loops = [this.samplePair(everyMs)];
    if (monitor) this.loops.push(this.sampleChecks(monitor));
  }

  private async samplePair(everyMs: number): Promise<void> {
    while (this.running) {
      const started = Date.now();
      const [holders, view] = await Promise.all([
        vipHolders(this.state.dir, this.state.topology),
        pairView(this.state.dir, 400),
      ]);
      // The moment of a sample: the middle of the time it took to take it.
      const at = Math.round((started + Date.now()) / 2);
      this.samples.push({ at, holders, actives: LAB_NODES.filter((n) => view.roles[n] === "active") });
      const rest = everyMs - (Date.now() - started);
      if (rest > 0) await sleep(rest);
    }
  }

  private async sampleChecks(monitor: HamonSimMonitor): Promise<void> {
    while (this.running) {
      const sentAt = Date.now();
      const reply = await monitor.check(300).catch(() => undefined);
      const sample: CheckSample = { at: reply ? Date.now() : sentAt };
      if (reply) {
        sample.responder = reply.responder;
        sample.role = reply.role;
      }
      this.checks.push(sample);
      if (!reply) continue; // went unanswered for 300 ms: ask again at once
      await sleep(40);
    }
  }

  /** Waits until `probe` holds on the samples taken so far, or the time runs out. */
  async until(probe: (w: PairWatch) => boolean, timeoutMs: number): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      if (probe(this)) return true;
      await sleep(50);
    }
    return probe(this);
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }
}
