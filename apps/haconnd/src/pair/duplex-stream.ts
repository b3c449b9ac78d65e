// One TCP connection to the peer (duplex v2). It starts in the handshake (packages/protocol
// duplex/handshake.ts): nothing is sent but handshake frames and nothing received is decoded as
// a frame until both sides proved knowledge of duplex.key; its state until then is the
// handshake's few bytes and one timer. Once authenticated, every frame is sealed with this
// connection's direction keys (AES-256-GCM, counter nonces) and must carry the peer's node id.

import type { Socket } from "node:net";
import type { Clock, TimerHandle } from "@haconn/core";
import {
  type DropCounters,
  DuplexHandshake,
  type DuplexMessage,
  type KeyRing,
  SealedDecoder,
  SealedWriter,
} from "@haconn/protocol";

/** What a stream needs of its link (duplex-link.ts's DuplexLink passes itself). */
export interface StreamLink {
  readonly options: {
    readonly nodeId: number;
    readonly key: KeyRing;
    readonly clock: Clock;
    onStream(m: DuplexMessage, stream: DuplexStream): void;
    onStreamClosed(stream: DuplexStream): void;
    onDrop?(reason: string, detail: string): void;
  };
  readonly peerId: number;
  readonly random: (n: number) => Uint8Array;
  readonly handshakeTimeoutMs: number;
  readonly drops: DropCounters;
}

export interface StreamLifecycle {
  /** The handshake succeeded: the stream is usable. Called once, before any frame is delivered. */
  ready(s: DuplexStream): void;
  /** The handshake failed, timed out or the connection closed before it ended. */
  failed(s: DuplexStream, reason: string, detail: string): void;
}

export class DuplexStream {
  private handshake: DuplexHandshake | undefined;
  private writer: SealedWriter | undefined;
  private decoder: SealedDecoder | undefined;
  private timer: TimerHandle | undefined;
  private seq = 1;
  closed = false;
  /** Closed by this node on purpose (a restart, a new role): not a sign of the peer's death. */
  deliberate = false;

  constructor(
    readonly socket: Socket,
    private readonly link: StreamLink,
    readonly outbound: boolean,
    private readonly lifecycle: StreamLifecycle,
  ) {
    const o = link.options;
    this.handshake = new DuplexHandshake({
      role: outbound ? "client" : "server",
      selfId: o.nodeId,
      peerId: link.peerId,
      keys: o.key.keys,
      sendKey: o.key.send,
      random: link.random,
      now: () => o.clock.now(),
      timeoutMs: link.handshakeTimeoutMs,
    });
    this.timer = o.clock.setTimeout(() => this.abandon("timeout"), link.handshakeTimeoutMs);
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.receive(chunk));
    socket.on("error", () => this.close());
    socket.on("close", () => this.close());
    for (const f of this.handshake.start()) socket.write(f);
  }

  /** The handshake completed and the peer is authenticated. */
  get authenticated(): boolean {
    return this.writer !== undefined;
  }

  private receive(chunk: Uint8Array): void {
    if (this.closed) return;
    const hs = this.handshake;
    if (hs) {
      const step = hs.push(chunk);
      for (const f of step.send) this.socket.write(f);
      if (step.state === "pending") return;
      if (step.state === "failed") {
        this.abandon(step.reason, step.detail);
        return;
      }
      this.handshake = undefined;
      this.link.options.clock.clearTimeout(this.timer!);
      this.writer = new SealedWriter(step.keys.send);
      this.decoder = new SealedDecoder(step.keys.receive, this.link.peerId);
      this.lifecycle.ready(this);
      if (step.rest.length > 0) this.receive(step.rest);
      return;
    }
    const o = this.link.options;
    const r = this.decoder!.push(chunk, o.clock.now());
    for (const m of r.messages) {
      if (this.closed) return;
      o.onStream(m, this);
    }
    if (r.fatal) {
      this.link.drops[r.fatal.reason] += 1;
      o.onDrop?.(`stream ${r.fatal.reason}`, r.fatal.detail);
      this.close();
    }
  }

  /** Ends a connection that never authenticated (timeout, bad handshake, limit). */
  abandon(reason: string, detail = ""): void {
    if (this.closed) return;
    if (this.authenticated) {
      this.close();
      return;
    }
    this.closed = true;
    if (this.timer !== undefined) this.link.options.clock.clearTimeout(this.timer);
    this.handshake = undefined;
    this.socket.destroy();
    this.lifecycle.failed(this, reason, detail || reason);
  }

  /** Sends one sealed frame; returns its requestId (a COMMAND-RESULT passes its COMMAND's as replyTo). */
  send(type: DuplexMessage["type"], body: unknown, replyTo?: number): number {
    const requestId = replyTo ?? this.seq++;
    if (this.closed || !this.writer) return requestId;
    const o = this.link.options;
    const m = {
      type,
      header: { requestId, senderId: o.nodeId, timestampMs: Math.floor(o.clock.now()), attempt: 0 },
      body,
    } as DuplexMessage;
    this.socket.write(this.writer.seal(m));
    return requestId;
  }

  close(): void {
    if (this.closed) return;
    if (!this.authenticated) {
      this.abandon("closed", "closed by the other end during the handshake");
      return;
    }
    this.closed = true;
    this.socket.destroy();
    this.link.options.onStreamClosed(this);
  }
}
