// The duplex LAN between the two connectors (duplex protocol v2, docs/protocol.md §7–8):
// heartbeats over UDP (both ways, every heartbeatMs), signed with the sender's heartbeat key and
// accepted only with the peer's node id; and one TCP stream on which the active pushes its state
// to the standby (SNAPSHOT on connect, then every DELTA in order; the standby acknowledges) and
// on which commands travel. A TCP connection is nothing until its handshake proved that the
// other end holds duplex.key (pair/duplex-stream.ts): only then is it handed to the controller.
// Unauthenticated connections are few (MAX_PENDING), short-lived (handshake timeout) and hold
// only their handshake state; refusals are counted and logged at most once a minute per reason.

import { randomBytes } from "node:crypto";
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { connect, createServer, type Server, type Socket } from "node:net";
import type { Clock } from "@haconn/core";
import {
  createDropCounters,
  type DropCounters,
  type DuplexMessage,
  decodeHeartbeatV2,
  encodeHeartbeatV2,
  HANDSHAKE_TIMEOUT_MS,
  type HeartbeatMessage,
  type KeyRing,
  ReplayCache,
} from "@haconn/protocol";
import { DuplexStream } from "./duplex-stream.js";

export { DuplexStream } from "./duplex-stream.js";

export interface Endpoint {
  addr: string;
  port: number;
}

/** Unauthenticated connections held at once; a new one beyond this closes the oldest. */
export const MAX_PENDING = 4;

export interface DuplexLinkOptions {
  self: Endpoint;
  peer: Endpoint;
  /** Node id on the wire: 1 or 2 (sorted hostnames). The peer has the other. */
  nodeId: number;
  key: KeyRing;
  clock: Clock;
  freshnessMs: number;
  /** Handshake nonces (tests inject their own). Default: the system CSPRNG. */
  random?: (n: number) => Uint8Array;
  handshakeTimeoutMs?: number;
  onHeartbeat(m: HeartbeatMessage): void;
  /** A frame on an authenticated stream (hello, snapshot, delta, sync-ack, command, command-result). */
  onStream(m: DuplexMessage, stream: DuplexStream): void;
  /** An authenticated stream closed (peer process gone, link down, or a bad frame). */
  onStreamClosed(stream: DuplexStream): void;
  /** A datagram, connection or frame refused; the caller rate-limits the log line. */
  onDrop?(reason: string, detail: string): void;
}

export class DuplexLink {
  readonly drops: DropCounters = createDropCounters();
  /** Refused TCP connections by reason (not the peer's address, handshake failures, timeouts). */
  readonly refused = new Map<string, number>();
  private udp: UdpSocket | undefined;
  private server: Server | undefined;
  /** One replay window for the link's heartbeats. */
  private readonly replay = new ReplayCache();
  private readonly pending = new Set<DuplexStream>();
  private hbSeq = 1;
  readonly peerId: number;

  constructor(readonly options: DuplexLinkOptions) {
    this.peerId = options.nodeId === 1 ? 2 : 1;
  }

  get random(): (n: number) => Uint8Array {
    return this.options.random ?? ((n) => new Uint8Array(randomBytes(n)));
  }

  get handshakeTimeoutMs(): number {
    return this.options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS;
  }

  async open(): Promise<void> {
    const o = this.options;
    const udp = createSocket({ type: "udp4" });
    await new Promise<void>((resolve, reject) => {
      udp.once("error", reject);
      udp.bind({ port: o.self.port, address: o.self.addr, exclusive: true }, () => {
        udp.off("error", reject);
        resolve();
      });
    });
    udp.on("message", (bytes) => this.receiveHeartbeat(bytes));
    udp.on("error", () => undefined);
    this.udp = udp;
  }

  /** Accept stream connections (the active does; the standby connects). */
  async listen(onConnection: (s: DuplexStream) => void): Promise<void> {
    if (this.server) return;
    const server = createServer((socket) => this.accept(socket, onConnection));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ port: this.options.self.port, host: this.options.self.addr, exclusive: true }, () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.server = server;
  }

  private accept(socket: Socket, onConnection: (s: DuplexStream) => void): void {
    const from = socket.remoteAddress?.replace(/^::ffff:/, "");
    if (from !== this.options.peer.addr) {
      socket.destroy(); // only the configured peer's address may connect
      this.refuse("not-peer", `connection from ${from ?? "?"}`);
      return;
    }
    if (this.pending.size >= MAX_PENDING) {
      const oldest = this.pending.values().next().value;
      if (oldest) oldest.abandon("pending-limit");
    }
    const s = new DuplexStream(socket, this, false, {
      ready: (ready) => {
        this.pending.delete(ready);
        onConnection(ready);
      },
      failed: (failed, reason, detail) => {
        this.pending.delete(failed);
        this.refuse(reason, detail);
      },
    });
    this.pending.add(s);
  }

  /** Counts a refused connection and passes it on for a rate-limited log line. */
  refuse(reason: string, detail: string): void {
    this.refused.set(reason, (this.refused.get(reason) ?? 0) + 1);
    this.options.onDrop?.(`stream ${reason}`, detail);
  }

  get listening(): boolean {
    return this.server !== undefined;
  }

  stopListening(): void {
    this.server?.close();
    this.server = undefined;
    for (const s of this.pending) s.abandon("not-listening");
    this.pending.clear();
  }

  /**
   * Connects to the peer's stream port and runs the handshake; resolves with the authenticated
   * stream, or undefined when the peer does not answer or does not prove the key. `failed` gets
   * the socket's error code when the connection itself fails (ECONNREFUSED: the peer's kernel
   * says nobody listens on the port), before any handshake.
   */
  connect(timeoutMs = 1000, failed?: (code: string) => void): Promise<DuplexStream | undefined> {
    return new Promise((resolve) => {
      const socket = connect({
        port: this.options.peer.port,
        host: this.options.peer.addr,
        localAddress: this.options.self.addr,
      });
      let settled = false;
      const settle = (s: DuplexStream | undefined) => {
        if (settled) return;
        settled = true;
        this.options.clock.clearTimeout(timer);
        resolve(s);
      };
      const timer = this.options.clock.setTimeout(() => {
        socket.destroy();
        settle(undefined);
      }, timeoutMs + this.handshakeTimeoutMs);
      let connected = false;
      socket.once("error", (error: NodeJS.ErrnoException) => {
        socket.destroy();
        if (!connected && !settled) failed?.(error.code ?? "error");
        settle(undefined);
      });
      socket.once("connect", () => {
        connected = true;
        new DuplexStream(socket, this, true, {
          ready: (s) => settle(s),
          failed: (_s, reason, detail) => {
            this.refuse(reason, detail);
            settle(undefined);
          },
        });
      });
    });
  }

  sendHeartbeat(body: HeartbeatMessage["body"]): void {
    const o = this.options;
    if (!this.udp) return;
    const m: HeartbeatMessage = {
      type: "heartbeat",
      header: {
        requestId: this.hbSeq++ >>> 0,
        senderId: o.nodeId,
        timestampMs: Math.floor(o.clock.now()),
        attempt: 0,
      },
      body,
    };
    this.udp.send(encodeHeartbeatV2(m, o.key.send), o.peer.port, o.peer.addr);
  }

  private receiveHeartbeat(bytes: Buffer): void {
    const o = this.options;
    const now = o.clock.now();
    const r = decodeHeartbeatV2(bytes, now, {
      keys: o.key.keys,
      require: true,
      replay: this.replay,
      peerId: this.peerId,
    });
    if (!r.ok) {
      this.drops[r.reason] += 1;
      o.onDrop?.(r.reason, r.detail);
      return;
    }
    if (now - r.value.header.timestampMs > o.freshnessMs) {
      this.drops.stale += 1;
      return;
    }
    o.onHeartbeat(r.value);
  }

  close(): void {
    this.stopListening();
    try {
      this.udp?.close();
    } catch {
      // closed already
    }
    this.udp = undefined;
  }
}
