// The common frame of docs/protocol.md §3, written from the page alone: it imports nothing of
// ours (node:crypto only), so an attack test built on it cannot share a misunderstanding with
// packages/protocol. Every field can be set to any value, valid or not.
//
//  0 magic u16 | 2 protocol u8 | 3 version u8 | 4 type u8 | 5 flags u8 | 6 attempt u16
//  8 bodyLength u32 | 12 requestId u32 | 16 senderId u32 | 20 timestamp u64 | 28 body
//  [AUTH: keyId u32 | nonce 8 | tag 32 = HMAC-SHA256(secret, frame[0 .. 28 + bodyLength + 12))]

import { createHmac, randomBytes } from "node:crypto";

export const MAGIC = 0x4843;
export const HEADER_BYTES = 28;
export const TRAILER_BYTES = 44;

export interface RawKey {
  id: number;
  /** 32 bytes. */
  secret: Buffer;
}

export interface RawHeader {
  protocol: number;
  type: number;
  requestId: number;
  senderId: number;
  /** Default Date.now(). */
  timestampMs?: number;
  attempt?: number;
  /** Default 1. */
  version?: number;
  /** Extra flag bits (bit 0 is set by signing). */
  flags?: number;
  /** Default the body's length; set to lie about it. */
  bodyLength?: number;
  magic?: number;
}

export interface RawSign {
  key: RawKey;
  /** 8 bytes; default random. */
  nonce?: Buffer;
}

/** One frame: header + body (+ trailer when `sign` is given). */
export function rawFrame(h: RawHeader, body: Buffer, sign?: RawSign): Buffer {
  const head = Buffer.alloc(HEADER_BYTES);
  head.writeUInt16BE(h.magic ?? MAGIC, 0);
  head.writeUInt8(h.protocol, 2);
  head.writeUInt8(h.version ?? 1, 3);
  head.writeUInt8(h.type, 4);
  head.writeUInt8((h.flags ?? 0) | (sign ? 1 : 0), 5);
  head.writeUInt16BE(h.attempt ?? 0, 6);
  head.writeUInt32BE(h.bodyLength ?? body.length, 8);
  head.writeUInt32BE(h.requestId >>> 0, 12);
  head.writeUInt32BE(h.senderId >>> 0, 16);
  head.writeBigUInt64BE(BigInt(Math.floor(h.timestampMs ?? Date.now())), 20);
  const unsigned = Buffer.concat([head, body]);
  if (!sign) return unsigned;
  const keyId = Buffer.alloc(4);
  keyId.writeUInt32BE(sign.key.id, 0);
  const nonce = sign.nonce ?? randomBytes(8);
  const covered = Buffer.concat([unsigned, keyId, nonce]);
  const tag = createHmac("sha256", sign.key.secret).update(covered).digest();
  return Buffer.concat([covered, tag]);
}

export interface ParsedFrame {
  protocol: number;
  version: number;
  type: number;
  flags: number;
  attempt: number;
  requestId: number;
  senderId: number;
  timestampMs: number;
  body: Buffer;
  /** Present when flags bit 0 is set. */
  trailer?: { keyId: number; nonce: Buffer; tag: Buffer };
}

/** Parses one whole frame; undefined when the bytes are not one well-formed frame. */
export function parseRawFrame(b: Buffer): ParsedFrame | undefined {
  if (b.length < HEADER_BYTES || b.readUInt16BE(0) !== MAGIC) return undefined;
  const flags = b.readUInt8(5);
  const bodyLength = b.readUInt32BE(8);
  const auth = (flags & 1) === 1;
  if (b.length !== HEADER_BYTES + bodyLength + (auth ? TRAILER_BYTES : 0)) return undefined;
  const end = HEADER_BYTES + bodyLength;
  return {
    protocol: b.readUInt8(2),
    version: b.readUInt8(3),
    type: b.readUInt8(4),
    flags,
    attempt: b.readUInt16BE(6),
    requestId: b.readUInt32BE(12),
    senderId: b.readUInt32BE(16),
    timestampMs: Number(b.readBigUInt64BE(20)),
    body: b.subarray(HEADER_BYTES, end),
    ...(auth
      ? {
          trailer: {
            keyId: b.readUInt32BE(end),
            nonce: b.subarray(end + 4, end + 12),
            tag: b.subarray(end + 12, end + 44),
          },
        }
      : {}),
  };
}

/** True when the frame carries a trailer whose tag is right under `secret`. */
export function rawTagValid(b: Buffer, secret: Buffer): boolean {
  if (b.length < HEADER_BYTES + TRAILER_BYTES || (b.readUInt8(5) & 1) === 0) return false;
  const tag = createHmac("sha256", secret)
    .update(b.subarray(0, b.length - 32))
    .digest();
  return tag.equals(b.subarray(b.length - 32));
}

/** `name`: u8 length + ASCII bytes (no check: an attacker may send anything). */
export function rawName(s: string): Buffer {
  const bytes = Buffer.from(s, "latin1");
  return Buffer.concat([Buffer.from([bytes.length & 0xff]), bytes]);
}

/** Reads a `name` at `at`; returns it and the offset after it. */
export function readRawName(b: Buffer, at: number): [string, number] {
  const n = b.readUInt8(at);
  return [b.subarray(at + 1, at + 1 + n).toString("latin1"), at + 1 + n];
}

/** A key file line set (docs/protocol.md §8.3): `<keyId> <64 hex> [send]`; the send key. */
export function parseRawKeyFile(text: string): RawKey {
  const keys: (RawKey & { send: boolean })[] = [];
  for (const line of text.split("\n")) {
    const t = line.replace(/#.*/, "").trim();
    if (!t) continue;
    const [id, hex, mark] = t.split(/\s+/);
    keys.push({ id: Number(id), secret: Buffer.from(hex ?? "", "hex"), send: mark === "send" });
  }
  const send = keys.length === 1 ? keys[0] : keys.find((k) => k.send);
  if (!send) throw new Error("key file: no send key");
  return { id: send.id, secret: send.secret };
}
