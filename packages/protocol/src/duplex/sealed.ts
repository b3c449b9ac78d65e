// Sealed stream frames (duplex v2, docs/protocol.md §7.2): after the handshake every frame on the
// TCP stream is the common 28-byte header (version 2, flags = SEALED, bodyLength = n + 16)
// followed by the AES-256-GCM encryption of the frame's v1 body (n bytes) and the 16-byte GCM
// tag. The key is the sender's direction key of this connection; the 12-byte nonce is
// 0(4) ‖ counter(8), the counter 0 for the first sealed frame a side sends and +1 per frame (never
// reused: a key lives for one connection); the additional authenticated data is the header.
// A receiver counts the same way, so a dropped, reordered, replayed or reflected frame fails the
// tag. Any failure is fatal for the connection.
import { createCipheriv, createDecipheriv, type KeyObject } from "node:crypto";
import {
  HEADER_SIZE,
  MAGIC,
  MAX_STREAM_BODY,
  OFF_BODY_LENGTH,
  OFF_FLAGS,
  OFF_VERSION,
  PROTOCOL_DUPLEX,
  VERSION,
} from "../constants.js";
import { type Drop, drop } from "../result.js";
import { type DuplexMessage, decodeDuplex, encodeDuplex, MAX_STREAM_FRAME } from "./messages.js";
import type { StreamPush } from "./stream.js";
import { DUPLEX_VERSION, FLAG_SEALED, GCM_TAG_SIZE, gcmNonce } from "./v2-keys.js";

/** Largest sealed frame on the stream. */
export const MAX_SEALED_FRAME = HEADER_SIZE + MAX_STREAM_BODY + GCM_TAG_SIZE;

/** Seals the frames one side sends on one connection. */
export class SealedWriter {
  private counter = 0n;

  constructor(private readonly key: KeyObject) {}

  /** Encodes and encrypts one stream frame; throws ProtocolError on an invalid message. */
  seal(message: DuplexMessage): Uint8Array {
    const plain = encodeDuplex(message, { maxLength: MAX_STREAM_FRAME });
    const header = Buffer.from(plain.subarray(0, HEADER_SIZE));
    const body = plain.subarray(HEADER_SIZE);
    header[OFF_VERSION] = DUPLEX_VERSION;
    header[OFF_FLAGS] = FLAG_SEALED;
    header.writeUInt32BE(body.length + GCM_TAG_SIZE, OFF_BODY_LENGTH);
    const cipher = createCipheriv("aes-256-gcm", this.key, gcmNonce(this.counter++));
    cipher.setAAD(header);
    const sealed = Buffer.concat([header, cipher.update(body), cipher.final(), cipher.getAuthTag()]);
    return new Uint8Array(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  }
}

/** Cuts and opens the sealed frames the peer sends on one connection. */
export class SealedDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private counter = 0n;
  private fatal: Drop | undefined;

  constructor(
    private readonly key: KeyObject,
    /** The only senderId accepted: the peer's node id. */
    private readonly peerId: number,
  ) {}

  get pending(): number {
    return this.buffered;
  }

  push(chunk: Uint8Array, now: number): StreamPush {
    const messages: DuplexMessage[] = [];
    if (this.fatal) return { messages, fatal: this.fatal };
    if (chunk.length > 0) {
      this.chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      this.buffered += chunk.length;
    }
    for (;;) {
      if (this.buffered < HEADER_SIZE) break;
      const head = this.peek(HEADER_SIZE);
      const bad = checkSealedHeader(head, this.peerId);
      if (bad) return this.die(bad, messages);
      const total = HEADER_SIZE + head.readUInt32BE(OFF_BODY_LENGTH);
      if (this.buffered < total) break;
      const frame = this.peek(total);
      this.consume(total);
      const r = this.open(frame, now);
      if (!r.ok) return this.die(r, messages);
      messages.push(r.value);
    }
    return { messages };
  }

  private open(frame: Buffer, now: number) {
    const header = frame.subarray(0, HEADER_SIZE);
    const sealed = frame.subarray(HEADER_SIZE);
    const tag = sealed.subarray(sealed.length - GCM_TAG_SIZE);
    let body: Buffer;
    try {
      const d = createDecipheriv("aes-256-gcm", this.key, gcmNonce(this.counter++));
      d.setAAD(header);
      d.setAuthTag(tag);
      body = Buffer.concat([d.update(sealed.subarray(0, sealed.length - GCM_TAG_SIZE)), d.final()]);
    } catch {
      return drop("bad-mac", "sealed frame does not open");
    }
    const v1 = Buffer.concat([header, body]);
    v1[OFF_VERSION] = VERSION;
    v1[OFF_FLAGS] = 0;
    v1.writeUInt32BE(body.length, OFF_BODY_LENGTH);
    const r = decodeDuplex(v1, { now, maxLength: MAX_STREAM_FRAME });
    if (r.ok && (r.value.type === "heartbeat" || r.value.type === "unsupported-version"))
      return drop("unknown-type", `${r.value.type} on the stream`);
    return r;
  }

  private die(d: Drop, messages: DuplexMessage[]): StreamPush {
    this.fatal = d;
    this.chunks = [];
    this.buffered = 0;
    return { messages, fatal: d };
  }

  private peek(n: number): Buffer {
    if (this.chunks[0]!.length < n) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!.subarray(0, n);
  }

  private consume(n: number): void {
    const rest = this.chunks[0]!.subarray(n);
    this.chunks = rest.length > 0 ? [rest, ...this.chunks.slice(1)] : this.chunks.slice(1);
    this.buffered -= n;
  }
}

/** Checks a sealed frame's header before its body is read (a fatal drop, or undefined). */
export function checkSealedHeader(h: Uint8Array, peerId: number): Drop | undefined {
  const b = Buffer.from(h.buffer, h.byteOffset, HEADER_SIZE);
  if (b.readUInt16BE(0) !== MAGIC) return drop("bad-magic", "stream out of step");
  if (b[2] !== PROTOCOL_DUPLEX) return drop("wrong-protocol", `protocol ${b[2]}`);
  if (b[OFF_VERSION] !== DUPLEX_VERSION) return drop("unsupported-version", `version ${b[OFF_VERSION]}`);
  if (b[OFF_FLAGS] !== FLAG_SEALED)
    return drop("bad-flags", `flags 0x${b[OFF_FLAGS]!.toString(16)} (not sealed)`);
  const bodyLength = b.readUInt32BE(OFF_BODY_LENGTH);
  if (bodyLength < GCM_TAG_SIZE) return drop("short", `sealed body of ${bodyLength} bytes`);
  if (HEADER_SIZE + bodyLength > MAX_SEALED_FRAME)
    return drop("too-long", `frame of ${HEADER_SIZE + bodyLength} bytes`);
  const sender = b.readUInt32BE(16);
  if (sender !== peerId) return drop("bad-field", `senderId ${sender} is not the peer's node id ${peerId}`);
  return undefined;
}
