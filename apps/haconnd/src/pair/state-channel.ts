// The duplex stream between the two nodes and what flows on it: the standby connects to the
// active and says HELLO; the active answers HELLO + SNAPSHOT, then every DELTA in order; the
// standby keeps the mirror and acknowledges each version (SYNC-ACK). Commands on the stream
// are handed to peer-commands.ts.

import type { Clock, SharedState, VersionedDelta } from "@haconn/core";
import type { HaState } from "@haconn/ha";
import type { DuplexMessage } from "@haconn/protocol";
import type { DuplexLink, DuplexStream } from "./duplex-link.js";
import type { PeerCommands } from "./peer-commands.js";
import { ReplicationAcks } from "./replication-acks.js";
import { mirrorOfSnapshot, mirrorWithDelta, sendDeltas, sendSnapshot } from "./state-sync.js";

export interface StateChannelDeps {
  clock: Clock;
  link: Pick<DuplexLink, "connect">;
  commands: Pick<PeerCommands, "serve" | "onResult" | "streamClosed">;
  log(level: "info" | "warn" | "error", message: string): void;
  /** This node's election state now (role, term). */
  ha(): Pick<HaState, "role" | "term">;
  /** What a HELLO says besides role, term and version. */
  hello(): { configDigest: string; nodeName: string };
  /** The active's shared state now. */
  shared(): SharedState;
  /**
   * Standby: half of the evidence that the peer's daemon is gone (packages/ha "corroborated
   * loss"): the stream closed, not by this node, or a reconnect was refused (ECONNREFUSED);
   * `peerStreamOpened` when a new stream is up again (the stream is no longer lost).
   */
  evidence(kind: "peerStreamLost" | "peerConnectRefused" | "peerStreamOpened", now: number): void;
}

export class StateChannel {
  private stream: DuplexStream | undefined;
  private connecting = false;
  /** A failed connection attempt (refused, or no handshake) is retried after a second. */
  private nextConnectAt = 0;
  /** Active side: what the standby acknowledged on the current stream. */
  private readonly acks: ReplicationAcks<DuplexStream>;
  /** The standby's copy of the active's shared state, and whether it is complete. */
  mirror: SharedState | undefined;
  synced = false;

  constructor(private readonly d: StateChannelDeps) {
    this.acks = new ReplicationAcks(d.clock);
  }

  /** The current stream, open or not. */
  get current(): DuplexStream | undefined {
    return this.stream;
  }

  get open(): boolean {
    return this.stream !== undefined && !this.stream.closed;
  }

  /** Standby: connect to the active when there is no stream and no attempt is under way. */
  maybeConnect(now: number): void {
    if (this.stream || this.connecting || now < this.nextConnectAt) return;
    void this.connectToActive();
  }

  private async connectToActive(): Promise<void> {
    this.connecting = true;
    let refused = false;
    const s = await this.d.link.connect(undefined, (code) => {
      refused = code === "ECONNREFUSED";
    });
    this.connecting = false;
    if (!s) {
      const now = this.d.clock.now();
      this.nextConnectAt = now + 1000;
      // Only a refusal says the peer's daemon is gone; a timeout or an unreachable host (a cut
      // link) says nothing of the kind.
      if (refused && this.d.ha().role === "standby") this.d.evidence("peerConnectRefused", now);
      return;
    }
    if (this.d.ha().role !== "standby" || this.stream) {
      s.deliberate = true;
      s.close();
      return;
    }
    this.stream = s;
    this.synced = false;
    this.d.evidence("peerStreamOpened", this.d.clock.now());
    this.sendHello(s, "standby", this.mirror?.version ?? 0);
  }

  private sendHello(s: DuplexStream, role: "active" | "standby", stateVersion: number): void {
    s.send("hello", { role, term: this.d.ha().term, stateVersion, ...this.d.hello() });
  }

  /**
   * An *authenticated* connection of the peer (the handshake ran in the link). It replaces the
   * current stream: only the peer holds the key, and the peer connects only when it holds no
   * stream, so its end of the old one is gone (e.g. half open after its restart). A connection
   * that does not authenticate never reaches this point and never touches the current stream.
   */
  acceptStandby(s: DuplexStream): void {
    if (this.d.ha().role !== "active") {
      s.deliberate = true;
      s.close();
      return;
    }
    this.closeStream();
    this.stream = s;
    this.sendHello(s, "active", this.d.shared().version);
    sendSnapshot(s, this.d.ha().term, this.d.shared());
  }

  /** The active's engine changed state: every delta goes to the standby in order. */
  publish(deltas: readonly VersionedDelta[]): void {
    const s = this.stream;
    if (!s || s.closed || this.d.ha().role !== "active") return;
    sendDeltas(s, this.d.ha().term, deltas);
  }

  onStream(m: DuplexMessage, s: DuplexStream): void {
    if (s !== this.stream) return;
    const role = this.d.ha().role;
    switch (m.type) {
      case "snapshot": {
        if (role !== "standby") return; // state flows active → standby only
        const mirror = mirrorOfSnapshot(m.body);
        if (mirror) {
          this.mirror = mirror;
          this.synced = true;
          s.send("sync-ack", { term: m.body.term, stateVersion: m.body.stateVersion });
        }
        return;
      }
      case "delta":
        if (!this.mirror || role !== "standby") return;
        try {
          const next = mirrorWithDelta(this.mirror, m.body);
          if (!next) return;
          this.mirror = next;
          s.send("sync-ack", { term: m.body.term, stateVersion: next.version });
        } catch (error) {
          this.d.log("warn", `state sync gap (${String(error)}); asking for a new snapshot`);
          this.synced = false;
          this.closeStream(); // reconnect: the active sends a fresh snapshot
        }
        return;
      case "sync-ack":
        if (role === "active") this.acks.ack(s, m.body.stateVersion);
        return;
      case "command":
        void this.d.commands.serve(m, s, { role });
        return;
      case "command-result":
        this.d.commands.onResult(m, s);
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
    if (this.d.ha().role !== "active" || !s || s.closed) return Promise.resolve(false);
    return this.acks.wait(s, version, timeoutMs);
  }

  onStreamClosed(s: DuplexStream): void {
    this.acks.streamClosed(s);
    const current = s === this.stream;
    if (current) this.stream = undefined;
    this.d.commands.streamClosed(s);
    // A closed stream is not the peer's death: anyone able to reset a TCP connection could close
    // it. The standby fences only when the peer's authenticated heartbeats stop (the election's
    // miss count); until then it reconnects, at once. The close is half of the evidence that
    // shortens the budget by one heartbeat; the other half is a refused reconnect after the last
    // heartbeat, which a heartbeat after it cancels (packages/ha, docs/security.md). `synced` stays as
    // it was: the mirror is current up to the loss, and a takeover after kill -9 of the active
    // must resume from it. Without the stream the link shows NG; a new stream resets `synced`
    // until its snapshot.
    if (!current || s.deliberate || this.d.ha().role !== "standby") return;
    const now = this.d.clock.now();
    this.d.evidence("peerStreamLost", now);
    this.nextConnectAt = 0;
    this.maybeConnect(now);
  }

  closeStream(): void {
    const s = this.stream;
    this.stream = undefined;
    if (s) {
      s.deliberate = true;
      s.close();
    }
  }

  /** A fresh node: no stream, no mirror. */
  reset(): void {
    this.closeStream();
    this.synced = false;
    this.mirror = undefined;
  }
}
