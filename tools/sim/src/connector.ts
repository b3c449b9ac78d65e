// The two connector nodes (management servers). Each runs the real election (`transition` of
// @haconn/ha) on a tick, heartbeats over the duplex link, and — only while its role is active —
// the real reset engine (`transition` of @haconn/core) on the reset path. The active sends every
// transition's deltas to the peer (fire and forget over the lossy duplex link); the peer mirrors
// them with `replay` and asks for a snapshot when it sees a gap. A node that becomes active
// builds its engine from its mirror and dispatches `start` (jobs resume from their phase).

import { type Effect, type EngineState, emptySharedState, replay, type SharedState } from "@haconn/core";
import {
  DEFAULT_TIMING,
  type HaEffect,
  type HaEvent,
  type HaState,
  type Role,
  transition as haTransition,
  initialState,
  peerAlive,
} from "@haconn/ha";
import type { AckBook } from "./ack-book.js";
import { type EngineRunHooks, engineHooks, releaseHeld, runEngine } from "./engine-port.js";
import type { Invariants, RoleView } from "./invariants.js";
import type { ManagedWorld } from "./managed.js";
import { datagram } from "./network.js";
import type { Scenario } from "./scenario.js";
import type { World } from "./world.js";

export const TIMING = DEFAULT_TIMING;
const TICK_MS = 50;
const SNAPSHOT_EVERY_MS = 300;

export interface ConnectorNode {
  index: number;
  name: string;
  peerName: string;
  preferred: boolean;
  /** The daemon runs. */
  alive: boolean;
  /** Incarnation of the daemon: loops and answers of an older one are dropped. */
  life: number;
  /** The term the daemon persists across restarts. */
  term: number;
  ha: HaState;
  /** The host carries the VIP. */
  vip: boolean;
  engine: EngineState | null;
  /** Changes whenever the engine is created or dropped: timers and driver answers of an older one are ignored. */
  epoch: number;
  timers: Map<string, number>;
  timerGen: number;
  held: { version: number; effects: Effect[]; then?: ((replicated: boolean) => void) | undefined }[];
  mirror: SharedState;
  lastSyncAt: number;
}

function makeNode(index: number): ConnectorNode {
  const name = index === 0 ? "HACON1" : "HACON2";
  const peerName = index === 0 ? "HACON2" : "HACON1";
  return {
    index,
    name,
    peerName,
    preferred: index === 0,
    alive: false,
    life: 0,
    term: 0,
    ha: initialState({ self: name, peerName, preferred: index === 0, now: 0 }),
    vip: false,
    engine: null,
    epoch: 0,
    timers: new Map(),
    timerGen: 0,
    held: [],
    mirror: emptySharedState(),
    lastSyncAt: 0,
  };
}

export class Connectors {
  readonly nodes: [ConnectorNode, ConnectorNode] = [makeNode(0), makeNode(1)];
  private cutUntil = 0;
  readonly hooks: EngineRunHooks;

  constructor(
    private readonly world: World,
    private readonly scenario: Scenario,
    managed: ManagedWorld,
    checks: Invariants,
    private readonly acks: AckBook,
  ) {
    this.hooks = engineHooks(
      world,
      scenario,
      managed,
      checks,
      acks,
      (n, d) => this.sendDeltas(n, d),
      (n) => this.standbyPresent(n),
    );
  }

  start(): void {
    for (const node of this.nodes)
      this.world.schedule(this.world.rng.int(0, 400), `${node.name} starts`, () => this.startDaemon(node));
  }

  peer(node: ConnectorNode): ConnectorNode {
    return this.nodes[1 - node.index]!;
  }

  linkUp(): boolean {
    return this.world.now >= this.cutUntil;
  }

  cutLink(ms: number): void {
    this.cutUntil = Math.max(this.cutUntil, this.world.now + ms);
  }

  healLink(): void {
    this.cutUntil = this.world.now;
  }

  roles(): RoleView[] {
    return this.nodes.map((n) => ({ name: n.name, acting: n.alive && n.ha.role === "active", vip: n.vip }));
  }

  /** The node whose daemon answers on the VIP, if any. */
  vipNode(): ConnectorNode | undefined {
    return this.nodes.find((n) => n.vip && n.alive && n.engine !== null);
  }

  // ------------------------------------------------------------ daemon life

  startDaemon(node: ConnectorNode): void {
    if (node.alive) return;
    const life = ++node.life;
    node.alive = true;
    node.vip = false; // a starting daemon removes a VIP left on its host
    node.ha = initialState({
      self: node.name,
      peerName: node.peerName,
      preferred: node.preferred,
      now: this.world.now,
      term: node.term,
    });
    node.mirror = emptySharedState();
    node.lastSyncAt = this.world.now;
    this.dropEngine(node);
    const tick = () => {
      if (node.life !== life || !node.alive) return;
      this.haEvent(node, { type: "tick", now: this.world.now });
      // The standby went silent: the active carries on alone (the standby will fence before acting).
      if (node.engine && node.held.length > 0 && !this.standbyPresent(node))
        releaseHeld(this.hooks, node, Infinity);
      this.world.schedule(TICK_MS, `${node.name} tick`, tick);
    };
    const beat = () => {
      if (node.life !== life || !node.alive) return;
      this.heartbeat(node);
      this.world.schedule(TIMING.heartbeatMs, `${node.name} heartbeat`, beat);
    };
    this.world.schedule(TICK_MS, `${node.name} tick`, tick);
    this.world.schedule(0, `${node.name} heartbeat`, beat);
  }

  /** kill -9 of the daemon: the VIP stays on the host until the host is reset. */
  crash(node: ConnectorNode, downMs: number): void {
    if (!node.alive) return;
    this.world.note(`${node.name} daemon killed (role ${node.ha.role})`);
    this.stopDaemon(node);
    const peer = this.peer(node);
    // As haconnd sees it: the stream closes, the immediate reconnect is refused (nobody listens).
    // Together they shorten the heartbeat budget by one heartbeat; they never fence on their own.
    if (this.linkUp())
      this.world.schedule(2, `${peer.name} stream closed, reconnect refused`, () => {
        this.haEvent(peer, { type: "peerStreamLost", now: this.world.now });
        this.haEvent(peer, { type: "peerConnectRefused", now: this.world.now });
      });
    const life = node.life;
    this.world.schedule(downMs, `${node.name} daemon restarts`, () => {
      if (node.life === life && !node.alive && !this.hostDown.has(node.index)) this.startDaemon(node);
    });
  }

  private readonly hostDown = new Set<number>();

  /** The peer's BMC reset its host: daemon and VIP gone; the host boots again later. */
  private resetHost(node: ConnectorNode): void {
    this.world.note(`${node.name} host reset by fencing`);
    this.stopDaemon(node);
    node.vip = false;
    this.hostDown.add(node.index);
    this.world.schedule(this.world.rng.int(1500, 3000), `${node.name} host boots`, () => {
      this.hostDown.delete(node.index);
      this.startDaemon(node);
    });
  }

  /** Quiet phase: every daemon whose host is up runs again. */
  restartAll(): void {
    for (const n of this.nodes) if (!n.alive && !this.hostDown.has(n.index)) this.startDaemon(n);
  }

  private stopDaemon(node: ConnectorNode): void {
    node.alive = false;
    node.term = Math.max(node.term, node.ha.term);
    node.life++;
    this.dropEngine(node);
  }

  private dropEngine(node: ConnectorNode): void {
    this.acks.drop(node.name);
    node.engine = null;
    node.epoch++;
    node.timers.clear();
    node.held = [];
  }

  /** The peer runs as standby and is heard: it must have the state before the active acts on it. */
  private standbyPresent(node: ConnectorNode): boolean {
    return this.linkUp() && peerAlive(node.ha, this.world.now, TIMING) && node.ha.peer?.role === "standby";
  }

  // ------------------------------------------------------------ election

  haEvent(node: ConnectorNode, event: HaEvent): void {
    if (!node.alive) return;
    const [state, effects] = haTransition(node.ha, event, TIMING);
    node.ha = state;
    for (const fx of effects) this.haEffect(node, fx);
  }

  private haEffect(node: ConnectorNode, fx: HaEffect): void {
    const peer = this.peer(node);
    switch (fx.kind) {
      case "becomeActive": {
        this.world.note(
          `${node.name} becomes active term ${fx.term} (${fx.reason}), state v${node.mirror.version}`,
        );
        node.vip = true;
        this.dropEngine(node);
        node.engine = this.hooks.create(node.mirror);
        // Only a clean hand-over guarantees a current state; any other takeover may miss what the
        // previous active (or this node's previous incarnation) did last.
        this.dispatch(node, { type: "start", now: this.world.now, stale: fx.reason !== "handover" });
        return;
      }
      case "becomeStandby":
      case "stepDown": {
        this.world.note(`${node.name} ${fx.kind}`);
        node.vip = false;
        if (node.engine) node.mirror = emptySharedState(); // its own history may differ from the new active's
        this.dropEngine(node);
        return;
      }
      case "probeVip": {
        this.world.schedule(5, `${node.name} VIP probed`, () =>
          this.haEvent(node, { type: "vipProbed", now: this.world.now, inUse: peer.vip }),
        );
        return;
      }
      case "fencePeer": {
        this.fence(node, peer);
        return;
      }
      case "sendHandover":
      case "log":
        return;
    }
  }

  private fence(node: ConnectorNode, peer: ConnectorNode): void {
    const life = node.life;
    const done = (ok: boolean) => {
      if (node.life !== life) return;
      this.haEvent(
        node,
        ok
          ? { type: "fenced", now: this.world.now, ok, method: "bmc" }
          : { type: "fenced", now: this.world.now, ok, error: "bmc timeout" },
      );
    };
    if (this.scenario.bugs.fenceWithoutReset) {
      this.world.schedule(1, `${node.name} fence (BUG: no reset)`, () => done(true));
      return;
    }
    const mode = this.scenario.devices[`mbmc:${peer.name}`] ?? "ok";
    if (mode === "dead") {
      this.world.schedule(3000, `${node.name} fence of ${peer.name} times out`, () => done(false));
      return;
    }
    const latency = mode === "slow" ? this.world.rng.int(1000, 2500) : this.world.rng.int(20, 200);
    this.world.schedule(latency, `${node.name} fences ${peer.name}`, () => {
      this.resetHost(peer);
      done(true);
    });
  }

  private heartbeat(node: ConnectorNode): void {
    if (!this.linkUp()) return;
    const peer = this.peer(node);
    const sentAt = this.world.now;
    const role: Role = node.ha.role;
    const term = node.ha.term;
    const version = node.engine ? node.engine.shared.version : node.mirror.version;
    const fencing = node.ha.fencing?.inFlight === true;
    datagram(
      this.world,
      this.scenario.duplex,
      `${node.name} → ${peer.name} heartbeat ${role} t${term} v${version}${fencing ? " fencing" : ""}`,
      () => {
        if (!this.linkUp() || !peer.alive || this.world.now - sentAt > TIMING.freshnessMs) return;
        this.haEvent(peer, {
          type: "heartbeat",
          now: this.world.now,
          from: node.name,
          role,
          term,
          digest: "d",
          stateVersion: version,
          fencing,
          localStateVersion: peer.engine ? peer.engine.shared.version : peer.mirror.version,
        });
        if (role === "active" && !peer.engine && version > peer.mirror.version) this.askSnapshot(peer);
      },
    );
  }

  // ------------------------------------------------------------ state sync

  private duplex(label: string, deliver: () => void): void {
    if (!this.linkUp()) return;
    const sentAt = this.world.now;
    datagram(this.world, this.scenario.duplex, label, () => {
      if (this.linkUp() && this.world.now - sentAt <= TIMING.freshnessMs) deliver();
    });
  }

  private sendDeltas(node: ConnectorNode, deltas: Parameters<typeof replay>[1]): void {
    const peer = this.peer(node);
    const life = peer.life;
    this.duplex(`${node.name} → ${peer.name} deltas v${deltas.at(-1)?.version}`, () => {
      if (!peer.alive || peer.life !== life || peer.engine) return;
      try {
        peer.mirror = replay(peer.mirror, deltas);
        peer.lastSyncAt = this.world.now;
        this.ack(peer);
      } catch {
        this.askSnapshot(peer);
      }
    });
  }

  private ack(node: ConnectorNode): void {
    if (this.scenario.replication !== "acked") return;
    const peer = this.peer(node);
    const version = node.mirror.version;
    const epoch = peer.epoch;
    this.duplex(`${node.name} → ${peer.name} ack v${version}`, () => {
      if (peer.alive && peer.engine && peer.epoch === epoch) releaseHeld(this.hooks, peer, version);
    });
  }

  private askSnapshot(node: ConnectorNode): void {
    if (this.world.now - node.lastSyncAt < SNAPSHOT_EVERY_MS) return;
    node.lastSyncAt = this.world.now;
    const peer = this.peer(node);
    const life = node.life;
    this.duplex(`${node.name} asks ${peer.name} for a snapshot`, () => {
      if (!peer.alive || !peer.engine) return;
      const snapshot = peer.engine.shared;
      this.duplex(`${peer.name} → ${node.name} snapshot v${snapshot.version}`, () => {
        if (node.life !== life || !node.alive || node.engine || snapshot.version <= node.mirror.version)
          return;
        node.mirror = snapshot;
        node.lastSyncAt = this.world.now;
        this.ack(node);
      });
    });
  }

  // ------------------------------------------------------------ engine

  dispatch(
    node: ConnectorNode,
    event: Parameters<typeof runEngine>[2],
    ack?: () => void,
    forged = false,
  ): void {
    runEngine(this.hooks, node, event, ack, forged);
  }
}
