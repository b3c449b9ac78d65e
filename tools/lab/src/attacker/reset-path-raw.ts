// An independent reset-path client for attack tests, written from docs/protocol.md §4–§5 alone
// (imports nothing of ours but frame-raw.ts next to it). Bodies are built byte by byte as the
// tables say; replies are parsed the same way. Nothing is validated on the way out.

import { createSocket, type Socket } from "node:dgram";
import {
  type ParsedFrame,
  parseRawFrame,
  type RawSign,
  rawFrame,
  rawName,
  readRawName,
} from "./frame-raw.js";

export const RP = 0x01;
export const RP_TYPE = {
  check: 0x01,
  checkReply: 0x02,
  reset: 0x03,
  resetAccepted: 0x04,
  resetResult: 0x05,
  resultAck: 0x06,
  dumpNotice: 0x07,
  dumpAck: 0x08,
  attention: 0x09,
  attentionAck: 0x0a,
  unsupportedVersion: 0x7f,
} as const;

/** Header flag bits (§3.1): AUTH on every type; FENCE (bit 1) defined for RESET only, reserved elsewhere. */
export const RP_FLAG = { auth: 0x01, fence: 0x02 } as const;

const u16 = (v: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v & 0xffff, 0);
  return b;
};
const u32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0, 0);
  return b;
};
const u64 = (v: number | bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(v), 0);
  return b;
};

/** Bodies of the monitor → connector messages (§4.1, 4.3, 4.6, 4.7, 4.10). */
export const rpBody = {
  check(o: {
    replyPort: number;
    kind?: 1 | 2;
    intervalSec?: number;
    pair?: number;
    system: string;
    vm?: string;
  }) {
    return Buffer.concat([
      u16(o.replyPort),
      Buffer.from([o.kind ?? (o.vm ? 2 : 1)]),
      u16(o.intervalSec ?? 10),
      u32(o.pair ?? 0),
      rawName(o.system),
      rawName(o.vm ?? ""),
    ]);
  },
  reset(o: { target: number; clusterPort: number; system: string }) {
    return Buffer.concat([u32(o.target), u16(o.clusterPort), rawName(o.system)]);
  },
  resultAck(target: number) {
    return u32(target);
  },
  dumpNotice(o: { clusterPort?: number; system?: string } = {}) {
    return Buffer.concat([u16(o.clusterPort ?? 0), rawName(o.system ?? "")]);
  },
  attentionAck(eventId: number | bigint) {
    return u64(eventId);
  },
};

/**
 * Bodies of connector → monitor messages an attacker forges toward a monitor or fencing client
 * (§4.9 ATTENTION: eventId u64, state u8, kind u8, targetSubsystem u32, clusterPort u16,
 * systemName, vmName).
 */
export const rpForged = {
  attention(o: { eventId: bigint; state: 1 | 2 | 3; target: number; clusterPort: number; system: string }) {
    return Buffer.concat([
      u64(o.eventId),
      Buffer.from([o.state, 1]),
      u32(o.target),
      u16(o.clusterPort),
      rawName(o.system),
      rawName(""),
    ]);
  },
};

export interface RpSend {
  type: number;
  requestId: number;
  senderId: number;
  body: Buffer;
  timestampMs?: number;
  attempt?: number;
  version?: number;
  /** Flag bits besides AUTH (which signing sets), e.g. RP_FLAG.fence; any value, valid or not. */
  flags?: number;
  sign?: RawSign;
}

/** A whole reset-path datagram. */
export function rpFrame(m: RpSend): Buffer {
  return rawFrame(
    {
      protocol: RP,
      type: m.type,
      requestId: m.requestId,
      senderId: m.senderId,
      ...(m.timestampMs !== undefined ? { timestampMs: m.timestampMs } : {}),
      ...(m.attempt !== undefined ? { attempt: m.attempt } : {}),
      ...(m.version !== undefined ? { version: m.version } : {}),
      ...(m.flags !== undefined ? { flags: m.flags } : {}),
    },
    m.body,
    m.sign,
  );
}

export interface CheckReply {
  blockers: number;
  redundancy: number;
  role: number;
  status: number;
  pair: number;
  responder: string;
}
export interface ResetResult {
  target: number;
  /** 1 DUMP, 2 POFF, 3 FAIL, 4 ERROR */
  result: number;
  detail: number;
}
export interface Attention {
  eventId: bigint;
  /** 1 DUMP, 2 REBOOT, 3 POFF */
  state: number;
  kind: number;
  target: number;
  clusterPort: number;
  system: string;
  vm: string;
}

/** Parsers of the connector → monitor bodies (§4.2, 4.4, 4.5, 4.8, 4.9, 3.5). */
export const rpParse = {
  checkReply(b: Buffer): CheckReply {
    return {
      blockers: b.readUInt8(0),
      redundancy: b.readUInt8(1),
      role: b.readUInt8(2),
      status: b.readUInt8(3),
      pair: b.readUInt32BE(4),
      responder: readRawName(b, 8)[0],
    };
  },
  resetAccepted(b: Buffer) {
    return { target: b.readUInt32BE(0), phase: b.readUInt8(4) };
  },
  resetResult(b: Buffer): ResetResult {
    return { target: b.readUInt32BE(0), result: b.readUInt8(4), detail: b.readUInt8(5) };
  },
  dumpAck(b: Buffer) {
    return { subsystem: b.readUInt32BE(0), status: b.readUInt8(4) };
  },
  attention(b: Buffer): Attention {
    const [system, at] = readRawName(b, 16);
    return {
      eventId: b.readBigUInt64BE(0),
      state: b.readUInt8(8),
      kind: b.readUInt8(9),
      target: b.readUInt32BE(10),
      clusterPort: b.readUInt16BE(14),
      system,
      vm: readRawName(b, at)[0],
    };
  },
  unsupportedVersion(b: Buffer) {
    return { min: b.readUInt8(0), max: b.readUInt8(1) };
  },
};

/** fence_kdump_send's notice (§5): magic 0x1B302A40 and version 1, in the sender's byte order. */
export function kdumpNotice(order: "le" | "be" = "le", version = 1): Buffer {
  const b = Buffer.alloc(8);
  if (order === "le") {
    b.writeUInt32LE(0x1b302a40, 0);
    b.writeUInt32LE(version, 4);
  } else {
    b.writeUInt32BE(0x1b302a40, 0);
    b.writeUInt32BE(version, 4);
  }
  return b;
}

export interface Received {
  bytes: Buffer;
  from: { address: string; port: number };
  at: number;
  /** Undefined when the datagram is not a well-formed frame. */
  frame: ParsedFrame | undefined;
}

/** A UDP socket bound to any address and port (127.x for tests), recording what arrives. */
export class RawUdp {
  readonly received: Received[] = [];
  private waiters: (() => void)[] = [];

  private constructor(readonly socket: Socket) {
    socket.on("message", (bytes, r) => {
      this.received.push({
        bytes,
        from: { address: r.address, port: r.port },
        at: Date.now(),
        frame: parseRawFrame(bytes),
      });
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async open(address: string, port = 0): Promise<RawUdp> {
    const s = createSocket({ type: "udp4" });
    await new Promise<void>((resolve, reject) => {
      s.once("error", reject);
      s.bind(port, address, () => {
        s.off("error", reject);
        resolve();
      });
    });
    return new RawUdp(s);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(bytes: Buffer, to: { address: string; port: number }): Promise<void> {
    return new Promise((resolve, reject) =>
      this.socket.send(bytes, to.port, to.address, (e) => (e ? reject(e) : resolve())),
    );
  }

  /** Frames received so far of one reset-path type. */
  frames(type: number): ParsedFrame[] {
    return this.received.flatMap((r) =>
      r.frame && r.frame.protocol === RP && r.frame.type === type ? [r.frame] : [],
    );
  }

  /** Resolves with the first received datagram matching `pred` (old ones included), or undefined after `ms`. */
  async waitFor(pred: (r: Received) => boolean, ms: number): Promise<Received | undefined> {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = this.received.find(pred);
      if (hit) return hit;
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Waits `ms` and returns what arrived in that time (for "nothing came back" assertions). */
  async quiet(ms: number): Promise<Received[]> {
    const from = this.received.length;
    await new Promise((r) => setTimeout(r, ms));
    return this.received.slice(from);
  }

  close(): void {
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }
}
