// The duplex LAN between the two connectors: heartbeats over UDP (both ways, every
// heartbeatMs), and one TCP stream on which the active pushes its state to the standby
// (SNAPSHOT on connect, then every DELTA in order; the standby acknowledges) and on which
// commands travel (restart standby, shutdown). Every frame is signed with the duplex key;
// heartbeats older than the freshness window (sender timestamp) are dropped.

import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { createServer, type Server, type Socket, connect } from "node:net";
import {
  createDropCounters,
  type DropCounters,
  type DuplexMessage,
  DuplexStreamDecoder,
  decodeDuplex,
  encodeDuplex,
  type KeyRing,
  ReplayCache,
} from "@haconn/protocol";

export interface Endpoint {
  addr: string;
  port: number;
}

export interface DuplexLinkOptions {
  self: Endpoint;
  peer: Endpoint;
  /** Node id on the wire: 1 or 2 (sorted hostnames). */
  nodeId: number;
  key: KeyRing;
  now: () => number;
  freshnessMs: number;
  onHeartbeat(m: Extract<DuplexMessage, { type: "heartbeat" }>): void;
  /** A frame on the stream (hello, snapshot, delta, sync-ack, command, command-result). */
  onStream(m: DuplexMessage, stream: DuplexStream): void;
  /** The stream closed (peer process gone, or link down). */
  onStreamClosed(stream: DuplexStream): void;
  onDrop?(reason: string): void;
}

/** One TCP connection to the peer. */
export class DuplexStream {
  private readonly decoder: DuplexStreamDecoder;
  private seq = 1;
  closed = false;

  constructor(
    readonly socket: Socket,
    private readonly link: DuplexLink,
    readonly outbound: boolean,
  ) {
    const o = link.options;
    this.decoder = new DuplexStreamDecoder({
      auth: { keys: o.key.keys, require: true, replay: new ReplayCache() },
    });
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => {
      const r = this.decoder.push(chunk, o.now());
      for (const m of r.messages) o.onStream(m, this);
      if (r.fatal) {
        o.onDrop?.(`stream ${r.fatal.reason}`);
        this.close();
      }
    });
    socket.on("error", () => this.close());
    socket.on("close", () => this.close());
  }

  /** Sends one frame; returns its requestId (a COMMAND-RESULT passes its COMMAND's as replyTo). */
  send(type: DuplexMessage["type"], body: unknown, replyTo?: number): number {
    const requestId = replyTo ?? this.seq++;
    if (this.closed) return requestId;
    const o = this.link.options;
    const m = {
      type,
      header: { requestId, senderId: o.nodeId, timestampMs: Math.floor(o.now()), attempt: 0 },
      body,
    } as DuplexMessage;
    this.socket.write(encodeDuplex(m, { auth: { key: o.key.send } }));
    return requestId;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.link.options.onStreamClosed(this);
  }
}

export class DuplexLink {
  readonly drops: DropCounters = createDropCounters();
  private udp: UdpSocket | undefined;
  private server: Server | undefined;
  private readonly replay = new ReplayCache();
  private hbSeq = 1;

  constructor(readonly options: DuplexLinkOptions) {}

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
    const server = createServer((socket) => {
      if (socket.remoteAddress?.replace(/^::ffff:/, "") !== this.options.peer.addr) {
        socket.destroy(); // only the configured peer may connect
        return;
      }
      onConnection(new DuplexStream(socket, this, false));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ port: this.options.self.port, host: this.options.self.addr, exclusive: true }, () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.server = server;
  }

  stopListening(): void {
    this.server?.close();
    this.server = undefined;
  }

  /** Connects to the peer's stream port; resolves undefined when it does not answer. */
  connect(timeoutMs = 1000): Promise<DuplexStream | undefined> {
    return new Promise((resolve) => {
      const socket = connect({
        port: this.options.peer.port,
        host: this.options.peer.addr,
        localAddress: this.options.self.addr,
      });
      const timer = setTimeout(() => {
        socket.destroy();
        resolve(undefined);
      }, timeoutMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        resolve(new DuplexStream(socket, this, true));
      });
      socket.once("error", () => {
        clearTimeout(timer);
        socket.destroy();
        resolve(undefined);
      });
    });
  }

  sendHeartbeat(body: unknown): void {
    const o = this.options;
    if (!this.udp) return;
    const m = {
      type: "heartbeat",
      header: { requestId: this.hbSeq++, senderId: o.nodeId, timestampMs: Math.floor(o.now()), attempt: 0 },
      body,
    } as DuplexMessage;
    this.udp.send(encodeDuplex(m, { auth: { key: o.key.send } }), o.peer.port, o.peer.addr);
  }

  private receiveHeartbeat(bytes: Buffer): void {
    const o = this.options;
    const now = o.now();
    const r = decodeDuplex(bytes, { now, auth: { keys: o.key.keys, require: true, replay: this.replay } });
    if (!r.ok) {
      this.drops[r.reason] += 1;
      o.onDrop?.(r.reason);
      return;
    }
    if (r.value.type !== "heartbeat") return;
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
