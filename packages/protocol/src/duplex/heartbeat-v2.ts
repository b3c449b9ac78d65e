// HEARTBEAT datagrams of duplex v2 (docs/protocol.md §7.3, §8.1): the v1 frame with version 2
// in the header and the §8.1 trailer, its HMAC keyed with the *sender's* heartbeat key
// (heartbeatKey(K, senderId)), so a heartbeat reflected to its sender, or relabelled with the
// other node id, fails the tag. The receiver accepts only senderId = the peer's node id.
import { randomNonce } from "../auth.js";
import type { AuthVerifier } from "../auth.js";
import { authWindow, computeTag, tagsEqual } from "../auth.js";
import {
  FLAG_AUTH,
  HEADER_SIZE,
  KEY_ID_SIZE,
  MAGIC,
  NONCE_SIZE,
  OFF_BODY_LENGTH,
  OFF_FLAGS,
  OFF_VERSION,
  PROTOCOL_DUPLEX,
  TAG_SIZE,
  TRAILER_SIZE,
  VERSION,
} from "../constants.js";
import type { AuthKey } from "../auth.js";
import { type DecodeResult, drop, ok } from "../result.js";
import { type DuplexMessageOf, decodeDuplex, encodeDuplex } from "./messages.js";
import { DUPLEX_VERSION, heartbeatKey } from "./v2-keys.js";

export type HeartbeatMessage = DuplexMessageOf<"heartbeat">;

/** Encodes a signed v2 HEARTBEAT (senderId = this node's id picks the heartbeat key). */
export function encodeHeartbeatV2(
  message: HeartbeatMessage,
  key: AuthKey,
  nonce = randomNonce(),
): Uint8Array {
  const plain = Buffer.from(encodeDuplex(message));
  plain[OFF_VERSION] = DUPLEX_VERSION;
  plain[OFF_FLAGS] = FLAG_AUTH;
  const trailer = Buffer.alloc(KEY_ID_SIZE + NONCE_SIZE);
  trailer.writeUInt32BE(key.id, 0);
  trailer.set(nonce, KEY_ID_SIZE);
  const signed = Buffer.concat([plain, trailer]);
  const tag = computeTag(heartbeatKey(key, message.header.senderId), signed);
  return new Uint8Array(Buffer.concat([signed, tag]));
}

export interface HeartbeatVerifier extends AuthVerifier {
  /** The only senderId accepted: the peer's node id. */
  readonly peerId: number;
}

/** Decodes a v2 HEARTBEAT datagram. Never throws. */
export function decodeHeartbeatV2(
  bytes: Uint8Array,
  now: number,
  v: HeartbeatVerifier,
): DecodeResult<HeartbeatMessage> {
  if (bytes.length < HEADER_SIZE) return drop("short", `${bytes.length} bytes`);
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.readUInt16BE(0) !== MAGIC) return drop("bad-magic", "not a haconn frame");
  if (b[2] !== PROTOCOL_DUPLEX) return drop("wrong-protocol", `protocol ${b[2]}`);
  if (b[OFF_VERSION] !== DUPLEX_VERSION) return drop("unsupported-version", `version ${b[OFF_VERSION]}`);
  if (b[OFF_FLAGS] !== FLAG_AUTH) return drop("unauthenticated", `flags 0x${b[OFF_FLAGS]!.toString(16)}`);
  const bodyLength = b.readUInt32BE(OFF_BODY_LENGTH);
  const end = HEADER_SIZE + bodyLength + TRAILER_SIZE;
  if (b.length < end) return drop("truncated", `${b.length} bytes < ${end} announced`);
  if (b.length > end) return drop("trailing-bytes", `${b.length} bytes > ${end} announced`);
  const senderId = b.readUInt32BE(16);
  if (senderId !== v.peerId)
    return drop("bad-field", `senderId ${senderId} is not the peer's node id ${v.peerId}`);
  const keyId = b.readUInt32BE(end - TRAILER_SIZE);
  const key = v.keys.find((k) => k.id === keyId);
  if (!key) return drop("unknown-key", `key id ${keyId}`);
  const expected = computeTag(heartbeatKey(key, senderId), b.subarray(0, end - TAG_SIZE));
  const tag = b.subarray(end - TAG_SIZE, end);
  if (!tagsEqual(expected, tag)) return drop("bad-mac", `key id ${keyId}`);
  const timestampMs = Number(b.readBigUInt64BE(20));
  const skew = Math.abs(now - timestampMs);
  if (!Number.isSafeInteger(timestampMs) || skew > authWindow(v))
    return drop("stale", `clock difference ${skew} ms`);
  if (v.replay.checkAndRemember(tag, timestampMs, now))
    return drop("replay", `heartbeat ${b.readUInt32BE(12)}`);
  const v1 = Buffer.from(b.subarray(0, HEADER_SIZE + bodyLength));
  v1[OFF_VERSION] = VERSION;
  v1[OFF_FLAGS] = 0;
  const r = decodeDuplex(v1, { now });
  if (!r.ok) return r;
  if (r.value.type !== "heartbeat") return drop("unknown-type", `${r.value.type} in a datagram`);
  const nonce = b.subarray(end - TAG_SIZE - NONCE_SIZE, end - TAG_SIZE).toString("hex");
  return ok({ ...r.value, auth: { keyId, nonce } });
}
