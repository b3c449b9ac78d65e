// Runs two election state machines against each other on simulated time, with a duplex link
// that can be cut and a fence that "resets" the other node (it dies, then restarts undecided).
// Used by the ha tests and by the deterministic simulation.

import { initialState, transition } from "../election.js";
import type { HaEffect, HaEvent, HaState, HaTiming } from "../types.js";
import { DEFAULT_TIMING } from "../types.js";

export interface SimNode {
  name: string;
  state: HaState;
  alive: boolean;
  /** Holds the VIP (set by becomeActive, cleared by stepDown/becomeStandby and by death). */
  vip: boolean;
  restartAt: number | null;
}

export interface PairSimulationOptions {
  timing?: HaTiming;
  /** Can the standby fence the active? (BMC and PDU dead when false.) */
  fenceWorks?: (target: string) => boolean;
  /** Time from a fence to the fenced node's daemon starting again; null = stays down. */
  rebootMs?: number | null;
  fenceLatencyMs?: number;
}

/**
 * Two election state machines against each other on simulated time (1 ms steps), with a duplex
 * link that can be cut and a fence that resets the other node; `history` tells what happened.
 */
export class PairSimulation {
  /** The daemon evaluates timers on a tick of this period. */
  static readonly TICK_MS = 10;
  readonly timing: HaTiming;
  readonly nodes: [SimNode, SimNode];
  now = 0;
  linkUp = true;
  readonly history: string[] = [];
  private pending: { at: number; node: number; event: HaEvent }[] = [];
  private nextBeat = 0;

  constructor(private readonly options: PairSimulationOptions = {}) {
    this.timing = options.timing ?? DEFAULT_TIMING;
    this.nodes = [this.makeNode("HACON1", "HACON2", true), this.makeNode("HACON2", "HACON1", false)];
  }

  private makeNode(name: string, peer: string, preferred: boolean, term = 0): SimNode {
    return {
      name,
      state: initialState({ self: name, peerName: peer, preferred, now: this.now, term }),
      alive: true,
      vip: false,
      restartAt: null,
    };
  }

  /** Kills a node's daemon (kill -9): its VIP stays on the host until it is fenced. */
  kill(index: number): void {
    this.nodes[index]!.alive = false;
    this.history.push(`${this.now} kill ${this.nodes[index]!.name}`);
    const other = 1 - index;
    // As haconnd sees it: the stream closes and a reconnect is refused (nobody listens). That
    // shortens the heartbeat budget by one heartbeat; it does not replace it.
    if (this.linkUp) {
      this.deliver(other, { type: "peerStreamLost", now: this.now });
      this.deliver(other, { type: "peerConnectRefused", now: this.now });
    }
  }

  start(index: number): void {
    const old = this.nodes[index]!;
    const other = this.nodes[1 - index]!;
    // A daemon that starts makes sure it does not hold the VIP (it removes a leftover one).
    this.nodes[index] = this.makeNode(old.name, other.name, old.state.preferred, old.state.term);
  }

  activeCount(): number {
    return this.nodes.filter((n) => n.alive && n.state.role === "active").length;
  }

  vipHolders(): number {
    return this.nodes.filter((n) => n.vip).length;
  }

  private deliver(index: number, event: HaEvent): void {
    const node = this.nodes[index]!;
    if (!node.alive) return;
    const [state, effects] = transition(node.state, event, this.timing);
    node.state = state;
    for (const fx of effects) this.apply(index, fx);
  }

  private apply(index: number, fx: HaEffect): void {
    const node = this.nodes[index]!;
    const other = 1 - index;
    switch (fx.kind) {
      case "becomeActive":
        node.vip = true;
        this.history.push(`${this.now} ${node.name} active term ${fx.term} (${fx.reason})`);
        break;
      case "becomeStandby":
        node.vip = false;
        this.history.push(`${this.now} ${node.name} standby`);
        break;
      case "stepDown":
        node.vip = false;
        this.history.push(`${this.now} ${node.name} steps down (${fx.reason})`);
        break;
      case "sendHandover":
        if (this.linkUp)
          this.schedule(1, other, { type: "handover", now: 0, from: node.name, term: fx.term });
        break;
      case "probeVip": {
        const inUse = this.nodes[other]!.vip;
        this.schedule(5, index, { type: "vipProbed", now: 0, inUse });
        break;
      }
      case "fencePeer": {
        const target = this.nodes[other]!;
        const ok = this.options.fenceWorks?.(target.name) ?? true;
        const latency = this.options.fenceLatencyMs ?? 40;
        if (ok) {
          // The reset takes effect when the BMC acknowledges: the host goes down, the VIP with it.
          this.pending.push({ at: this.now + latency, node: -1 - other, event: { type: "tick", now: 0 } });
        }
        this.schedule(latency, index, {
          type: "fenced",
          now: 0,
          ok,
          ...(ok ? { method: "bmc" as const } : { error: "bmc timeout" }),
        });
        break;
      }
      case "log":
        break;
    }
  }

  private schedule(delay: number, node: number, event: HaEvent): void {
    this.pending.push({ at: this.now + delay, node, event });
  }

  /** Advances simulated time in 1 ms steps, delivering heartbeats, scheduled events and ticks. */
  run(ms: number, check?: () => void): void {
    const end = this.now + ms;
    while (this.now < end) {
      this.now += 1;
      const due = this.pending.filter((p) => p.at <= this.now);
      this.pending = this.pending.filter((p) => p.at > this.now);
      for (const p of due) {
        if (p.node < 0) {
          const victim = this.nodes[-1 - p.node]!;
          victim.alive = false;
          victim.vip = false;
          this.history.push(`${this.now} ${victim.name} reset by fence`);
          if (this.options.rebootMs !== null) victim.restartAt = this.now + (this.options.rebootMs ?? 3000);
        } else {
          this.deliver(p.node, { ...p.event, now: this.now } as HaEvent);
        }
      }
      for (let i = 0; i < 2; i++) {
        const n = this.nodes[i]!;
        if (!n.alive && n.restartAt !== null && this.now >= n.restartAt) this.start(i);
      }
      if (this.now >= this.nextBeat) {
        this.nextBeat = this.now + this.timing.heartbeatMs;
        for (let i = 0; i < 2; i++) {
          const n = this.nodes[i]!;
          if (!n.alive || !this.linkUp) continue;
          const s = n.state;
          this.schedule(1, 1 - i, {
            type: "heartbeat",
            now: 0,
            from: n.name,
            role: s.role,
            term: s.term,
            digest: "d",
            stateVersion: 0,
          });
        }
      }
      if (this.now % PairSimulation.TICK_MS === 0)
        for (let i = 0; i < 2; i++) this.deliver(i, { type: "tick", now: this.now });
      check?.();
    }
  }
}
