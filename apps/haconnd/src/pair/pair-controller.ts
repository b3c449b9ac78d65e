// Runs the pair's election (packages/ha) for this node: feeds it heartbeats, stream losses,
// VIP probes and fence results on a tick, and carries out its effects (ha-effects.ts) through
// the daemon (take or leave the reset path), the devices (fence the peer's management server)
// and the duplex link: heartbeats here, the stream and state sync in state-channel.ts.

import type { DeepReadonly, ManagementServer } from "@haconn/config";
import type { SharedState, TimerHandle, VersionedDelta } from "@haconn/core";
import {
  DEFAULT_TIMING,
  type HaEvent,
  type HaState,
  type HaTiming,
  initialState,
  nextTickDelay,
  peerAlive,
  transition,
} from "@haconn/ha";
import { configDigestMac, type DuplexCommand, type DuplexMessage, type JsonValue } from "@haconn/protocol";
import { ActivationBackoff } from "./activation-backoff.js";
import { DigestWatch } from "./digest-watch.js";
import { DuplexLink } from "./duplex-link.js";
import { type HaEffectTarget, runHaEffect } from "./ha-effects.js";
import { dispatchHeartbeat, heartbeatBody } from "./heartbeat-io.js";
import { duplexDropLog, LogLimit } from "./log-limit.js";
import { builtinPeerCommands, type PeerCommandResult, PeerCommands } from "./peer-commands.js";
import type { PairHost, PairOptions } from "./pair-host.js";
import { StateChannel } from "./state-channel.js";

export type { PairHost, PairOptions } from "./pair-host.js";

const TICK_MS = 50;

export class PairController {
  state: HaState;
  readonly timing: HaTiming;
  readonly link: DuplexLink;
  private readonly channel: StateChannel;
  private tickTimer: TimerHandle | undefined;
  /** When the armed tick runs (clock ms). */
  private tickDueAt = 0;
  private lastBeat = 0;
  /** Hand-over: `leaving` announced; `releasing`: the VIP release is in flight, no heartbeat. */
  private readonly flags = { leaving: false, releasing: false };
  private stopped = false;
  private readonly commands: PeerCommands;
  private readonly digests: DigestWatch;
  private readonly activation = new ActivationBackoff();
  private readonly effects: HaEffectTarget;
  private nextListenAt = 0;
  /** The stream-loss evidence is logged at most once a minute per kind (an attacker can cause it). */
  private readonly evidenceLog: LogLimit;

  constructor(
    private readonly host: PairHost,
    private o: PairOptions,
  ) {
    this.timing = o.timing ?? DEFAULT_TIMING;
    this.digests = new DigestWatch((level, message) => host.log(level, message));
    this.evidenceLog = new LogLimit(() => host.clock.now());
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
      onStream: (m, s) => this.channel.onStream(m, s),
      onStreamClosed: (s) => this.channel.onStreamClosed(s),
      onDrop: duplexDropLog(
        () => host.clock.now(),
        (level, message) => host.log(level, message),
      ),
    });
    this.channel = new StateChannel({
      clock: host.clock,
      link: this.link,
      commands: this.commands,
      log: (level, message) => host.log(level, message),
      ha: () => this.state,
      hello: () => ({ configDigest: this.wireDigest, nodeName: this.o.self.name }),
      shared: () => host.shared(),
      evidence: (type, now) => {
        if (type !== "peerStreamOpened") this.logEvidence(type);
        this.dispatch({ type, now });
        this.armTick(now); // a shortened deadline may fall before the armed tick
      },
    });
    this.effects = {
      host,
      peer: () => this.o.peer,
      ha: () => this.state,
      dispatch: (e) => this.dispatch(e),
      channel: this.channel,
      stopListening: () => this.link.stopListening(),
      listen: () => this.listen(),
      activated: () => this.activation.succeeded(),
      activationFailed: (error) => this.activationFailed(error),
      heartbeat: () => this.heartbeat(),
      flags: this.flags,
    };
  }

  /** The standby's copy of the active's shared state. */
  get mirror(): SharedState | undefined {
    return this.channel.mirror;
  }

  /** The mirror is complete (a snapshot arrived on the current or the last stream). */
  get synced(): boolean {
    return this.channel.synced;
  }

  /** The configuration digest this node announces: an HMAC under the duplex send key. */
  get wireDigest(): string {
    return configDigestMac(this.o.key.send, this.host.digest);
  }

  get link_(): "OK" | "NG" | "--" {
    if (!peerAlive(this.state, this.host.clock.now(), this.timing)) return this.state.peer ? "NG" : "--";
    return this.channel.open && (this.state.role !== "standby" || this.synced) ? "OK" : "NG";
  }

  async start(): Promise<void> {
    await this.link.open();
    this.loop();
  }

  private loop(): void {
    this.tickTimer = undefined;
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
    if (this.state.role === "standby" && this.state.peer?.role === "active") this.channel.maybeConnect(now);
    // Every 50 ms, or sooner when the standby's peer deadline falls before: detection then takes
    // heartbeat × missCount, not up to one tick more (issue 19).
    this.armTick(now);
  }

  private logEvidence(type: "peerStreamLost" | "peerConnectRefused"): void {
    const held = this.evidenceLog.take(type);
    if (held === undefined) return;
    const more = held > 0 ? ` (${held} more since the last line)` : "";
    this.host.log(
      "info",
      type === "peerStreamLost"
        ? `duplex stream to ${this.o.peer.name} closed (not by this node); reconnecting${more}`
        : `duplex reconnect to ${this.o.peer.name} refused (nobody listens on its port)${more}`,
    );
  }

  /**
   * Arms the next tick: the regular period, or the standby's peer deadline when it falls before.
   * Outside the loop only an earlier tick replaces the armed one.
   */
  private armTick(now: number): void {
    if (this.stopped) return;
    const delay = nextTickDelay(this.state, now, this.timing, TICK_MS);
    if (this.tickTimer !== undefined && this.tickDueAt <= now + delay) return;
    if (this.tickTimer !== undefined) this.host.clock.clearTimeout(this.tickTimer);
    this.tickDueAt = now + delay;
    this.tickTimer = this.host.clock.setTimeout(() => this.loop(), delay);
  }

  private heartbeat(): void {
    if (this.flags.releasing) return;
    this.link.sendHeartbeat(
      heartbeatBody({
        state: this.state,
        synced: this.synced,
        leaving: this.flags.leaving,
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
      runHaEffect(this.effects, e).catch((error) =>
        this.host.log("error", `pair effect ${e.kind} failed: ${String(error)}`),
      );
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
      .listen((s) => this.channel.acceptStandby(s))
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

  /** The active's engine changed state: every delta goes to the standby in order. */
  publish(deltas: readonly VersionedDelta[]): void {
    this.channel.publish(deltas);
  }

  /** Has the standby acknowledged state `version`? (state-channel.ts) */
  replicated(version: number, timeoutMs: number): Promise<boolean> {
    return this.channel.replicated(version, timeoutMs);
  }

  /** Sends a command to the peer without waiting for its answer; false when there is no stream. */
  command(command: "shutdown" | "restartStandby"): boolean {
    const s = this.channel.current;
    if (!s || s.closed) return false;
    void this.commands.request(s, command, {}, 10_000);
    return true;
  }

  /** Sends a command to the peer and resolves with its final answer (never rejects). */
  request(command: DuplexCommand, args: JsonValue, timeoutMs: number): Promise<PeerCommandResult> {
    return this.commands.request(this.channel.current, command, args, timeoutMs);
  }

  /** Clean hand-over (haconnact restart): release, tell the peer, come back as a starting node. */
  handOver(): void {
    this.dispatch({ type: "requestHandover", now: this.host.clock.now() });
    this.host.clock.setTimeout(() => this.restart(), this.timing.heartbeatMs * 3);
  }

  /** Restarts the connector logic in place: a fresh, undecided node. */
  restart(): void {
    this.channel.reset();
    this.flags.leaving = false;
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
    this.channel.closeStream();
    this.link.close();
  }
}
