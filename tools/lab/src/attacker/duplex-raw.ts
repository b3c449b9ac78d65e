// An independent duplex client for attack tests, written from docs/protocol.md §7 alone (imports
// nothing of ours but frame-raw.ts next to it): raw heartbeats and stream frames, and a TCP
// connection from a chosen local address that records every byte the peer sends, so a test can
// prove that nothing (no HELLO, no SNAPSHOT, no configuration byte) reached an unauthenticated
// party, and a UDP sender for forged heartbeats.

import { connect, type Socket } from "node:net";
import {
  HEADER_BYTES,
  type ParsedFrame,
  parseRawFrame,
  type RawSign,
  rawFrame,
  rawName,
  TRAILER_BYTES,
} from "./frame-raw.js";

export const DX = 0x02;
export const DX_TYPE = {
  heartbeat: 0x01,
  hello: 0x10,
  snapshot: 0x11,
  delta: 0x12,
  syncAck: 0x13,
  command: 0x20,
  commandResult: 0x21,
} as const;

export interface DxSend {
  type: number;
  requestId: number;
  /** Node id 1 or 2 (or anything, to forge). */
  senderId: number;
  body: Buffer;
  timestampMs?: number;
  version?: number;
  sign?: RawSign;
}

export function dxFrame(m: DxSend): Buffer {
  return rawFrame(
    {
      protocol: DX,
      type: m.type,
      requestId: m.requestId,
      senderId: m.senderId,
      ...(m.timestampMs !== undefined ? { timestampMs: m.timestampMs } : {}),
      ...(m.version !== undefined ? { version: m.version } : {}),
    },
    m.body,
    m.sign,
  );
}

const u64 = (v: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(v), 0);
  return b;
};

/** Payload (§7.5): encoding u8 (1 JSON, 2 octets), schema u16, length u32, data. */
export function dxPayload(value: unknown, schema = 1): Buffer {
  const data = Buffer.from(JSON.stringify(value), "utf8");
  const head = Buffer.alloc(7);
  head.writeUInt8(1, 0);
  head.writeUInt16BE(schema, 1);
  head.writeUInt32BE(data.length, 3);
  return Buffer.concat([head, data]);
}

/** Bodies of §7.3, §7.4, §7.7 (version 1 layouts). */
export const dxBody = {
  heartbeat(o: {
    role: number;
    flags?: number;
    intervalMs?: number;
    term: number;
    stateVersion?: number;
    digest?: Buffer;
    node: string;
  }) {
    const head = Buffer.alloc(4);
    head.writeUInt8(o.role, 0);
    head.writeUInt8(o.flags ?? 0, 1);
    head.writeUInt16BE(o.intervalMs ?? 500, 2);
    return Buffer.concat([
      head,
      u64(o.term),
      u64(o.stateVersion ?? 0),
      o.digest ?? Buffer.alloc(32),
      rawName(o.node),
    ]);
  },
  hello(o: { role: number; term: number; stateVersion?: number; digest?: Buffer; node: string }) {
    return Buffer.concat([
      Buffer.from([o.role]),
      u64(o.term),
      u64(o.stateVersion ?? 0),
      o.digest ?? Buffer.alloc(32),
      rawName(o.node),
    ]);
  },
  command(command: number, args: unknown = {}) {
    return Buffer.concat([Buffer.from([command]), dxPayload(args)]);
  },
};

/** A TCP connection bound to `localAddress`, recording every byte and every whole frame received. */
export class RawTcp {
  readonly chunks: Buffer[] = [];
  closed = false;
  private pending = Buffer.alloc(0);
  readonly frames: ParsedFrame[] = [];

  private constructor(readonly socket: Socket) {
    socket.on("data", (d: Buffer) => {
      this.chunks.push(d);
      this.pending = Buffer.concat([this.pending, d]);
      this.cut();
    });
    socket.on("close", () => {
      this.closed = true;
    });
    socket.on("error", () => {
      this.closed = true;
    });
  }

  static connect(
    to: { address: string; port: number },
    localAddress?: string,
    timeoutMs = 3000,
  ): Promise<RawTcp> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: to.address, port: to.port, ...(localAddress ? { localAddress } : {}) });
      const t = setTimeout(() => {
        s.destroy();
        reject(new Error(`connect ${to.address}:${to.port} timed out`));
      }, timeoutMs);
      s.once("connect", () => {
        clearTimeout(t);
        resolve(new RawTcp(s));
      });
      s.once("error", (e) => {
        clearTimeout(t);
        reject(e);
      });
    });
  }

  /** Every byte received so far. */
  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }

  write(b: Buffer): void {
    if (!this.closed) this.socket.write(b);
  }

  /** Waits until the peer closes or `ms` pass; true when it closed. */
  async closedWithin(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.closed;
  }

  destroy(): void {
    this.socket.destroy();
    this.closed = true;
  }

  private cut(): void {
    for (;;) {
      if (this.pending.length < HEADER_BYTES) return;
      const auth = (this.pending.readUInt8(5) & 1) === 1;
      const total = HEADER_BYTES + this.pending.readUInt32BE(8) + (auth ? TRAILER_BYTES : 0);
      if (this.pending.length < total) return;
      const f = parseRawFrame(this.pending.subarray(0, total));
      if (f) this.frames.push(f);
      this.pending = this.pending.subarray(total);
    }
  }
}
