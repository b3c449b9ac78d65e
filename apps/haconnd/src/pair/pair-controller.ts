// Runs the pair's election (packages/ha) for this node: feeds it heartbeats, stream losses,
// VIP probes and fence results on a tick, and carries out its effects through the daemon
// (take or leave the reset path), the devices (fence the peer's management server through its
// iLO, then its PDU outlets) and the duplex link (heartbeats, state sync, hand-over).

import type { DeepReadonly, ManagementServer } from "@haconn/config";
import type { Clock, SharedState, TimerHandle, VersionedDelta } from "@haconn/core";
import {
  DEFAULT_TIMING,
  type HaEffect,
  type HaEvent,
  type HaState,
  type HaTiming,
  initialState,
  peerAlive,
  transition,
} from "@haconn/ha";
import {
  configDigestMac,
  type DuplexCommand,
  type DuplexMessage,
  type JsonValue,
  type KeyRing,
} from "@haconn/protocol";
import type { Devices } from "../devices.js";
import { ActivationBackoff } from "./activation-backoff.js";
import { DigestWatch } from "./digest-watch.js";
import { DuplexLink, type DuplexStream } from "./duplex-link.js";
import { fencePeer } from "./fence-peer.js";
import { dispatchHeartbeat, heartbeatBody } from "./heartbeat-io.js";
import { duplexDropLog } from "./log-limit.js";
import {
  builtinPeerCommands,
  type PeerCommandHandlers,
  type PeerCommandResult,
  PeerCommands,
} from "./peer-commands.js";
import { ReplicationAcks } from "./replication-acks.js";
import { mirrorOfSnapshot, mirrorWithDelta, sendDeltas, sendSnapshot } from "./state-sync.js";

export interface PairHost {
  clock: Clock;
  devices: Devices;
  digest: string;
  log(level: "info" | "warn" | "error", message: string, fields?: Record<string, unknown>): void;
  /**
   * Take the reset path. `stale`: the state may lack what the old active did alone (a takeover
   * by fencing): the engine then holds back new RESETs and hardware resets for a while.
   */
  becomeActive(mirror: SharedState | undefined, stale: boolean): Promise<void>;
  becomeStandby(): Promise<void>;
  vipInUseElsewhere(): Promise<boolean>;
  /** The active's shared state now (for a snapshot). */
  shared(): SharedState;
  shutdown(reason: string): void;
  /** Commands the peer may send to this node (copyConfig, pduCutTest, collectLogs, ...). */
  peerCommands?(): PeerCommandHandlers;
  /** Called by restart(), as the role is decided again: re-read the configuration file. */
  rereadConfig?(): Promise<unknown>;
  /** The term grew: persist it before acting on it (pair/term-store.ts). */
  termChanged?(term: number): void;
}

export interface PairOptions {
  self: DeepReadonly<ManagementServer>;
  peer: DeepReadonly<ManagementServer>;
  key: KeyRing;
  timing?: HaTiming;
  term?: number;
}

export class PairController {
  state: HaState;
  readonly timing: HaTiming;
  readonly link: DuplexLink;
  private stream: DuplexStream | undefined;
  private connecting = false;
  /** The standby's copy of the active's shared state, and whether it is complete. */
  mirror: SharedState | undefined;
  synced = false;
  private tickTimer: TimerHandle | undefined;
  private lastBeat = 0;
  private leaving = false;
  /** A hand-over's VIP release is in flight: no heartbeat until it is done. */
  private releasing = false;
  private stopped = false;
  private readonly commands: PeerCommands;
  /** Active side: what the standby acknowledged on the current stream. */
  private readonly acks: ReplicationAcks<DuplexStream>;
  private readonly digests: DigestWatch;
  private readonly activation = new ActivationBackoff();
  private nextListenAt = 0;
  /** A failed connection attempt (refused, or no handshake) is retried after a second. */
  private nextConnectAt = 0;

  constructor(
    private readonly host: PairHost,
    private o: PairOptions,
  ) {
    this.timing = o.timing ?? DEFAULT_TIMING;
    this.acks = new ReplicationAcks(host.clock);
    this.digests = new DigestWatch((level, message) => host.log(level, message));
    this.commands = new PeerCommands(
      host.clock,
      () => ({
        ...host.peerCommands?.(),
        ...builtinPeerCommands(
          () => host.shutdown("shutdown asked by the peer"),
          () => this.restart(),
        ),
      }),
      (message) => host.log("warn", message),
    );
    const names = [o.self.name, o.peer.name];
    const preferred = names.slice().sort()[0] === o.self.name;
    this.state = initialState({
      self: o.self.name,
      peerName: o.peer.name,
      preferred,
      now: host.clock.now(),
      term: o.term ?? 0,
    });
    this.link = new DuplexLink({
      self: { ...o.self.mlan! },
      peer: { ...o.peer.mlan! },
      nodeId: preferred ? 1 : 2,
      key: o.key,
      clock: host.clock,
      freshnessMs: Math.max(this.timing.freshnessMs, 1000),
      onHeartbeat: (m) => this.onHeartbeat(m),
      onStream: (m, s) => this.onStream(m, s),
      onStreamClosed: (s) => this.onStreamClosed(s),
      onDrop: duplexDropLog(
        () => host.clock.now(),
        (level, message) => host.log(level, message),
      ),
    });
  }

  /** The configuration digest this node announces: an HMAC under the duplex send key. */
  get wireDigest(): string {
    return configDigestMac(this.o.key.send, this.host.digest);
  }

  get link_(): "OK" | "NG" | "--" {
    if (!peerAlive(this.state, this.host.clock.now(), this.timing)) return this.state.peer ? "NG" : "--";
    return this.stream && !this.stream.closed && (this.state.role !== "standby" || this.synced) ? "OK" : "NG";
  }

  async start(): Promise<void> {
    await this.link.open();
    this.loop();
  }

  private loop(): void {
    if (this.stopped) return;
    const now = this.host.clock.now();
    if (now - this.lastBeat >= this.timing.heartbeatMs) {
      this.lastBeat = now;
      this.heartbeat();
    }
    if (!this.activation.held(now)) this.dispatch({ type: "tick", now });
    if (this.state.role === "active" && !this.link.listening && now >= this.nextListenAt) {
      this.nextListenAt = now + 5000;
      void this.listen();
    }
    if (
      this.state.role === "standby" &&
      this.state.peer?.role === "active" &&
      !this.stream &&
      !this.connecting &&
      now >= this.nextConnectAt
    ) {
      void this.connectToActive();
    }
    this.tickTimer = this.host.clock.setTimeout(() => this.loop(), 50);
  }

  private heartbeat(): void {
    if (this.releasing) return;
    this.link.sendHeartbeat(
      heartbeatBody({
        state: this.state,
        synced: this.synced,
        leaving: this.leaving,
        heartbeatMs: this.timing.heartbeatMs,
        sharedVersion: () => this.host.shared().version,
        mirrorVersion: this.mirror?.version ?? 0,
        wireDigest: this.wireDigest,
        nodeName: this.o.self.name,
      }),
    );
  }

  dispatch(event: HaEvent): void {
    if (this.stopped) return;
    const [next, effects] = transition(this.state, event, this.timing);
    if (next.term > this.state.term) this.host.termChanged?.(next.term);
    this.state = next;
    for (const e of effects)
      this.run(e).catch((error) => this.host.log("error", `pair effect ${e.kind} failed: ${String(error)}`));
  }

  private async run(e: HaEffect): Promise<void> {
    const now = () => this.host.clock.now();
    switch (e.kind) {
      case "log":
        this.host.log(e.level, e.message, e.fields);
        return;
      case "probeVip": {
        const inUse = await this.host.vipInUseElsewhere().catch(() => true);
        this.dispatch({ type: "vipProbed", now: now(), inUse });
        return;
      }
      case "fencePeer": {
        const r = await fencePeer(this.host.devices, this.o.peer);
        this.dispatch({ type: "fenced", now: now(), ...r });
        return;
      }
      case "becomeActive":
        this.closeStream();
        try {
          // Stale: taken over by fencing, or from a standby that held a newer state than ours.
          await this.host.becomeActive(
            this.synced ? this.mirror : undefined,
            e.reason === "fenced" || (e.reason === "peerStandby" && (this.state.peer?.stateVersion ?? 0) > 0),
          );
        } catch (error) {
          await this.activationFailed(error);
          return;
        }
        this.activation.succeeded();
        await this.listen();
        return;
      case "becomeStandby":
        this.link.stopListening();
        await this.host.becomeStandby();
        return;
      case "stepDown":
        this.link.stopListening();
        if (e.reason !== "hand-over") {
          this.closeStream();
          await this.host.becomeStandby();
          return;
        }
        // A hand-over keeps the stream (the standby closes it when it takes over; restart()
        // closes whatever is left). Its "leaving" heartbeat makes the standby take the VIP: it
        // goes out only once this node released it (no instant with two holders), and no
        // heartbeat at all in between (a few ms).
        this.releasing = true;
        try {
          await this.host.becomeStandby();
        } finally {
          this.releasing = false;
          if (this.leaving) this.heartbeat();
        }
        return;
      case "sendHandover":
        this.leaving = true;
        if (!this.releasing) this.heartbeat();
        return;
    }
  }

  /** becomeActive failed (e.g. EADDRINUSE): release, step down to undecided, retry after a backoff. */
  private async activationFailed(error: unknown): Promise<void> {
    const delay = this.activation.failed(this.host.clock.now());
    this.host.log(
      "error",
      `taking the active role failed (${error instanceof Error ? error.message : String(error)}): stepping down, next attempt in ${delay / 1000} s`,
      { failures: this.activation.consecutiveFailures },
    );
    this.link.stopListening();
    this.restart();
  }

  private async listen(): Promise<void> {
    if (this.state.role !== "active") return;
    await this.link
      .listen((s) => this.acceptStandby(s))
      .catch((err) => this.host.log("error", `duplex listen failed (retried every 5 s): ${err}`));
  }

  private onHeartbeat(m: Extract<DuplexMessage, { type: "heartbeat" }>): void {
    const b = m.body;
    if (b.nodeName !== this.o.peer.name) return;
    const now = this.host.clock.now();
    this.digests.compare(this.wireDigest, b.nodeName, b.configDigest, now);
    const local = () =>
      this.state.role === "active" ? this.host.shared().version : (this.mirror?.version ?? 0);
    dispatchHeartbeat(b, now, local, (e) => this.dispatch(e));
  }

  // ------------------------------------------------------------------ state sync

  private async connectToActive(): Promise<void> {
    this.connecting = true;
    const s = await this.link.connect();
    this.connecting = false;
    if (!s) {
      this.nextConnectAt = this.host.clock.now() + 1000;
      return;
    }
    if (this.state.role !== "standby" || this.stream) {
      s.deliberate = true;
      s.close();
      return;
    }
    this.stream = s;
    this.synced = false;
    this.sendHello(s, "standby", this.mirror?.version ?? 0);
  }

  private sendHello(s: DuplexStream, role: "active" | "standby", stateVersion: number): void {
    const { term } = this.state;
    s.send("hello", { role, term, stateVersion, configDigest: this.wireDigest, nodeName: this.o.self.name });
  }

  /**
   * An *authenticated* connection of the peer (the handshake ran in the link). It replaces the
   * current stream: only the peer holds the key, and the peer connects only when it holds no
   * stream, so its end of the old one is gone (e.g. half open after its restart). A connection
   * that does not authenticate never reaches this point and never touches the current stream.
   */
  private acceptStandby(s: DuplexStream): void {
    if (this.state.role !== "active") {
      s.deliberate = true;
      s.close();
      return;
    }
    this.closeStream();
    this.stream = s;
    this.sendHello(s, "active", this.host.shared().version);
    sendSnapshot(s, this.state.term, this.host.shared());
  }

  /** The active's engine changed state: every delta goes to the standby in order. */
  publish(deltas: readonly VersionedDelta[]): void {
    const s = this.stream;
    if (!s || s.closed || this.state.role !== "active") return;
    sendDeltas(s, this.state.term, deltas);
  }

  private onStream(m: DuplexMessage, s: DuplexStream): void {
    if (s !== this.stream) return;
    switch (m.type) {
      case "snapshot": {
        if (this.state.role !== "standby") return; // state flows active → standby only
        const mirror = mirrorOfSnapshot(m.body);
        if (mirror) {
          this.mirror = mirror;
          this.synced = true;
          s.send("sync-ack", { term: m.body.term, stateVersion: m.body.stateVersion });
        }
        return;
      }
      case "delta":
        if (!this.mirror || this.state.role !== "standby") return;
        try {
          const next = mirrorWithDelta(this.mirror, m.body);
          if (!next) return;
          this.mirror = next;
          s.send("sync-ack", { term: m.body.term, stateVersion: next.version });
        } catch (error) {
          this.host.log("warn", `state sync gap (${String(error)}); asking for a new snapshot`);
          this.synced = false;
          this.closeStream(); // reconnect: the active sends a fresh snapshot
        }
        return;
      case "sync-ack":
        if (this.state.role === "active") this.acks.ack(s, m.body.stateVersion);
        return;
      case "command":
        void this.commands.serve(m, s, { role: this.state.role });
        return;
      case "command-result":
        this.commands.onResult(m, s);
        return;
      default:
        return;
    }
  }

  /**
   * Has the standby acknowledged state `version`? Resolves false at once when no synchronised
   * standby is connected (this active serves alone), or after `timeoutMs` without its
   * acknowledgement. Used to acknowledge a DUMP notice only once the standby knows it: an
   * unacknowledged notice is repeated by its sender, so a new active learns it too.
   */
  replicated(version: number, timeoutMs: number): Promise<boolean> {
    const s = this.stream;
    if (this.state.role !== "active" || !s || s.closed) return Promise.resolve(false);
    return this.acks.wait(s, version, timeoutMs);
  }

  private onStreamClosed(s: DuplexStream): void {
    this.acks.streamClosed(s);
    if (s === this.stream) this.stream = undefined;
    this.commands.streamClosed(s);
    // A closed stream is not the peer's death: anyone able to reset a TCP connection could close
    // it. The standby fences only when the peer's authenticated heartbeats stop (the election's
    // miss count); until then it reconnects. `synced` stays as it was: the mirror is current up
    // to the loss, and a takeover after kill -9 of the active must resume from it. Without the
    // stream the link shows NG; a new stream resets `synced` until its snapshot.
  }

  private closeStream(): void {
    const s = this.stream;
    this.stream = undefined;
    if (s) {
      s.deliberate = true;
      s.close();
    }
  }

  /** Sends a command to the peer without waiting for its answer; false when there is no stream. */
  command(command: "shutdown" | "restartStandby"): boolean {
    const s = this.stream;
    if (!s || s.closed) return false;
    void this.commands.request(s, command, {}, 10_000);
    return true;
  }

  /** Sends a command to the peer and resolves with its final answer (never rejects). */
  request(command: DuplexCommand, args: JsonValue, timeoutMs: number): Promise<PeerCommandResult> {
    return this.commands.request(this.stream, command, args, timeoutMs);
  }

  /** Clean hand-over (haconnact restart): release, tell the peer, come back as a starting node. */
  handOver(): void {
    this.dispatch({ type: "requestHandover", now: this.host.clock.now() });
    this.host.clock.setTimeout(() => this.restart(), this.timing.heartbeatMs * 3);
  }

  /** Restarts the connector logic in place: a fresh, undecided node. */
  restart(): void {
    this.closeStream();
    this.leaving = false;
    this.synced = false;
    this.mirror = undefined;
    this.state = initialState({
      self: this.state.self,
      peerName: this.state.peerName,
      preferred: this.state.preferred,
      now: this.host.clock.now(),
      term: this.state.term,
    });
    void this.host.becomeStandby();
    // A restart runs haconn.json as it is now (a standby runs no engine: the swap is safe, and
    // it is done long before the election, which takes several heartbeats).
    void this.host.rereadConfig?.().catch(() => undefined);
    this.host.log("info", "connector restarted: deciding its role again");
  }

  /** A reload changed the management servers' PDU settings: fence the peer with the new ones. */
  updateServers(self: DeepReadonly<ManagementServer>, peer: DeepReadonly<ManagementServer>): void {
    this.o = { ...this.o, self, peer };
  }

  /** The two nodes run different configurations (for longer than a reload's copy takes). */
  get configMismatch(): boolean {
    return this.digests.mismatched;
  }

  stop(): void {
    this.stopped = true;
    if (this.tickTimer !== undefined) this.host.clock.clearTimeout(this.tickTimer);
    this.closeStream();
    this.link.close();
  }
}
