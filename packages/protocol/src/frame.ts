// Common framing of both protocols (docs/protocol.md §2), big-endian:
//
//  off size field
//    0    2 magic        0x48 0x43 ("HC")
//    2    1 protocol     0x01 reset path, 0x02 duplex
//    3    1 version      1
//    4    1 type         per protocol
//    5    1 flags        bit 0 AUTH (trailer present); bit 1 FENCE (reset path RESET only,
//                        TypeEntry.flags); other bits reserved, 0
//    6    2 attempt      0 = first transmission, n = n-th retransmission of the same request
//    8    4 bodyLength   bytes of body
//   12    4 requestId    request id / sequence number
//   16    4 senderId     reset path: sender's subsystem number (0 = connector); duplex: node id 1|2
//   20    8 timestamp    ms since the Unix epoch, <= 2^53-1
//   28    N body
//  28+N  44 trailer      (AUTH only) keyId u32, nonce 8 bytes, HMAC-SHA256 of bytes [0, 28+N+12)
import {
  type AuthSigner,
  type AuthVerifier,
  authWindow,
  computeTag,
  randomNonce,
  tagsEqual,
} from "./auth.js";
import {
  FLAG_AUTH,
  FLAGS_KNOWN,
  HEADER_SIZE,
  KEY_ID_SIZE,
  MAGIC,
  MAX_DATAGRAM,
  NONCE_SIZE,
  OFF_BODY_LENGTH,
  TAG_SIZE,
  TRAILER_SIZE,
  VERSION,
} from "./constants.js";
import { Reader, Writer } from "./cursor.js";
import { ProtocolError } from "./errors.js";
import {
  type BodyCodec,
  type Check,
  checkU16,
  checkU32,
  checkU53,
  firstError,
  isFail,
  toHex,
} from "./fields.js";
import { type DecodeResult, drop, ok } from "./result.js";

export interface Header {
  /** Request id (reset path) or sequence number (duplex), 0..2^32-1. */
  requestId: number;
  /** Reset path: sender's subsystem number, 0 for the connector. Duplex: node id 1 or 2. */
  senderId: number;
  /** Sender's wall clock in ms since the Unix epoch. */
  timestampMs: number;
  /** 0 for the first transmission, incremented on each retransmission. */
  attempt: number;
}

/** Trailer facts of a decoded authenticated frame (the tag itself is not kept). */
export interface AuthInfo {
  keyId: number;
  /** 16 lower-case hex digits. */
  nonce: string;
}

export interface Message<K extends string, B> {
  type: K;
  header: Header;
  body: B;
  /** Present on decoded authenticated frames; ignored by encode (pass an AuthSigner instead). */
  auth?: AuthInfo;
}

/** Who may send a message, which fixes the senderId range. */
export type SenderKind = "subsystem" | "connector" | "node" | "any";

export interface TypeEntry<B> {
  code: number;
  sender: SenderKind;
  codec: BodyCodec<B>;
  /**
   * Header flag bits this type defines on top of AUTH (reset path RESET: FENCE). The body value
   * carries them: `flags.get` reads them from a body to encode, `flags.set` puts the bits of a
   * decoded frame into its body. A bit not defined here is reserved for this type (`bad-flags`).
   */
  flags?: TypeFlags<B>;
}

export interface TypeFlags<B> {
  mask: number;
  get(body: B): number;
  set(body: B, bits: number): B;
}

export interface EncodeOptions {
  /** Sign with this key (adds the trailer). */
  auth?: AuthSigner;
  /** Largest frame allowed; default MAX_DATAGRAM (UDP). */
  maxLength?: number;
}

export interface DecodeOptions {
  /** Receiver's clock, ms since the Unix epoch (timestamp window and replay cache). */
  now: number;
  /** Omit when no key is configured: trailers are then ignored and nothing is required. */
  auth?: AuthVerifier;
  /** Largest frame accepted; default MAX_DATAGRAM (UDP). */
  maxLength?: number;
}

export function checkHeader(h: Header, sender: SenderKind): Check {
  return firstError(
    checkU32(h.requestId, "requestId"),
    checkSender(h.senderId, sender),
    checkU53(h.timestampMs, "timestampMs"),
    checkU16(h.attempt, "attempt"),
  );
}

function checkSender(id: number, sender: SenderKind): Check {
  switch (sender) {
    case "subsystem":
      return checkU32(id, "senderId (subsystem number)", 1);
    case "connector":
      return id === 0 ? undefined : "senderId must be 0 for a connector message";
    case "node":
      return id === 1 || id === 2 ? undefined : "senderId must be node id 1 or 2";
    case "any":
      return checkU32(id, "senderId");
  }
}

/** Encodes one frame; throws ProtocolError when a value is outside the specification. */
export function encodeFrame<B>(
  protocol: number,
  entry: TypeEntry<B>,
  header: Header,
  body: B,
  options: EncodeOptions = {},
): Uint8Array {
  const invalid = checkHeader(header, entry.sender) ?? entry.codec.validate(body);
  if (invalid) throw new ProtocolError("PROTOCOL_BAD_VALUE", `${entry.codec.name}: ${invalid}`);
  const w = new Writer(128);
  w.u16(MAGIC)
    .u8(protocol)
    .u8(VERSION)
    .u8(entry.code)
    .u8((options.auth ? FLAG_AUTH : 0) | (entry.flags ? entry.flags.get(body) & entry.flags.mask : 0))
    .u16(header.attempt)
    .u32(0)
    .u32(header.requestId)
    .u32(header.senderId)
    .u64(header.timestampMs);
  entry.codec.write(w, body);
  const bodyLength = w.length - HEADER_SIZE;
  w.patchU32(OFF_BODY_LENGTH, bodyLength);
  if (options.auth) {
    const { key } = options.auth;
    const nonce = options.auth.nonce ?? randomNonce();
    if (nonce.length !== NONCE_SIZE) throw new ProtocolError("PROTOCOL_BAD_VALUE", "nonce must be 8 bytes");
    if (checkU32(key.id, "keyId", 1))
      throw new ProtocolError("PROTOCOL_BAD_VALUE", "keyId must be 1..2^32-1");
    w.u32(key.id).bytes(nonce);
    const signed = w.finish();
    w.bytes(computeTag(key, signed));
  }
  const max = options.maxLength ?? MAX_DATAGRAM;
  if (w.length > max) {
    throw new ProtocolError("PROTOCOL_TOO_LARGE", `${entry.codec.name}: ${w.length} bytes > ${max}`);
  }
  return w.finish();
}

/** What the fixed header says, before the body is looked at. */
export interface RawHeader extends Header {
  protocol: number;
  version: number;
  type: number;
  flags: number;
  bodyLength: number;
}

/** Reads the 28 header bytes; undefined when fewer bytes are present or the magic is wrong. */
export function peekHeader(bytes: Uint8Array): RawHeader | undefined {
  const r = new Reader(bytes);
  const magic = r.u16();
  if (magic !== MAGIC || bytes.length < HEADER_SIZE) return undefined;
  const protocol = r.u8()!;
  const version = r.u8()!;
  const type = r.u8()!;
  const flags = r.u8()!;
  const attempt = r.u16()!;
  const bodyLength = r.u32()!;
  const requestId = r.u32()!;
  const senderId = r.u32()!;
  const timestampMs = r.u64()!;
  return { protocol, version, type, flags, attempt, bodyLength, requestId, senderId, timestampMs };
}

/** Total frame length announced by a header (header + body + trailer when flagged). */
export function frameLength(h: RawHeader): number {
  return HEADER_SIZE + h.bodyLength + ((h.flags & FLAG_AUTH) !== 0 ? TRAILER_SIZE : 0);
}

/** Decodes one frame of `protocol` whose types are listed in `types`. Never throws. */
export function decodeFrame<M extends Message<string, unknown>>(
  bytes: Uint8Array,
  protocol: number,
  types: ReadonlyMap<number, TypeEntry<unknown> & { name: M["type"] }>,
  options: DecodeOptions,
): DecodeResult<M> {
  if (bytes.length < HEADER_SIZE) return drop("short", `${bytes.length} bytes < header ${HEADER_SIZE}`);
  const max = options.maxLength ?? MAX_DATAGRAM;
  if (bytes.length > max) return drop("too-long", `${bytes.length} bytes > ${max}`);
  const h = peekHeader(bytes);
  if (!h) return drop("bad-magic", "not a haconn frame");
  if (h.protocol !== protocol) return drop("wrong-protocol", `protocol ${h.protocol}`);
  if (h.version !== VERSION) return drop("unsupported-version", `version ${h.version}`);
  // Bits a type defines (FENCE on RESET) are known only for that type; an unknown type defines none.
  const known = FLAGS_KNOWN | (types.get(h.type)?.flags?.mask ?? 0);
  if ((h.flags & ~known) !== 0) return drop("bad-flags", `flags 0x${h.flags.toString(16)}`);
  const expected = frameLength(h);
  if (bytes.length < expected) return drop("truncated", `${bytes.length} bytes < ${expected} announced`);
  if (bytes.length > expected) return drop("trailing-bytes", `${bytes.length} bytes > ${expected} announced`);
  let auth: AuthInfo | undefined;
  if ((h.flags & FLAG_AUTH) !== 0) {
    const verdict = verifyTrailer(bytes, expected, h, options);
    if (!verdict.ok) return verdict;
    auth = verdict.value;
  } else if (options.auth?.require) {
    return drop("unauthenticated", "no trailer");
  }
  const entry = types.get(h.type);
  if (!entry) return drop("unknown-type", `type 0x${h.type.toString(16)}`);
  if (h.timestampMs < 0) return drop("bad-field", "timestamp above 2^53-1");
  const header: Header = {
    requestId: h.requestId,
    senderId: h.senderId,
    timestampMs: h.timestampMs,
    attempt: h.attempt,
  };
  const r = new Reader(bytes, HEADER_SIZE, HEADER_SIZE + h.bodyLength);
  const body = entry.codec.read(r);
  if (isFail(body)) return drop(body.fail, `${entry.codec.name}: ${body.detail}`);
  if (r.remaining !== 0) return drop("bad-body", `${entry.codec.name}: ${r.remaining} extra body bytes`);
  const invalid = checkHeader(header, entry.sender) ?? entry.codec.validate(body);
  if (invalid) return drop("bad-field", `${entry.codec.name}: ${invalid}`);
  const typeBits = entry.flags ? h.flags & entry.flags.mask : 0;
  const value = entry.flags && typeBits !== 0 ? entry.flags.set(body, typeBits) : body;
  const message = { type: entry.name, header, body: value } as M;
  if (auth) message.auth = auth;
  return ok(message);
}

function verifyTrailer(
  bytes: Uint8Array,
  end: number,
  h: RawHeader,
  options: DecodeOptions,
): DecodeResult<AuthInfo | undefined> {
  const verifier = options.auth;
  const start = end - TRAILER_SIZE;
  const r = new Reader(bytes, start, end);
  const keyId = r.u32()!;
  const nonce = r.bytes(NONCE_SIZE)!;
  const tag = r.bytes(TAG_SIZE)!;
  const info: AuthInfo = { keyId, nonce: toHex(nonce) };
  // No key configured: the trailer is carried but not checked (a client may sign before the
  // connector is given the key; see docs/protocol.md §6.4).
  if (!verifier || verifier.keys.length === 0) return ok(info);
  const key = verifier.keys.find((k) => k.id === keyId);
  if (!key) return drop("unknown-key", `key id ${keyId}`);
  const expected = computeTag(key, bytes.subarray(0, start + KEY_ID_SIZE + NONCE_SIZE));
  if (!tagsEqual(expected, tag)) return drop("bad-mac", `key id ${keyId}`);
  const skew = h.timestampMs < 0 ? Number.POSITIVE_INFINITY : Math.abs(options.now - h.timestampMs);
  if (skew > authWindow(verifier)) return drop("stale", `clock difference ${skew} ms`);
  if (verifier.notBeforeMs !== undefined && h.timestampMs < verifier.notBeforeMs) {
    return drop("stale", "timestamp before the receiver's start");
  }
  if (verifier.replay.checkAndRemember(tag, h.timestampMs, options.now)) {
    return drop("replay", `request ${h.requestId} from ${h.senderId}`);
  }
  return ok(info);
}
