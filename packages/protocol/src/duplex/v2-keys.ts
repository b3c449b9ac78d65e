// Duplex protocol version 2 (docs/protocol.md §7–8): the numbers and every key derivation.
//
//  - handshake proof  HMAC-SHA256(K, "haconn-duplex-v2-proof" ‖ role ‖ clientId ‖ serverId ‖ keyId ‖ Nc ‖ Ns)
//  - stream keys      HKDF-SHA256(K, salt = Nc ‖ Ns, info = "haconn-duplex-v2-stream" ‖ fromId ‖ toId), 32 bytes
//  - heartbeat key    HKDF-SHA256(K, salt = "", info = "haconn-duplex-v2-heartbeat" ‖ fromId), 32 bytes
//  - config digest    HMAC-SHA256(K, "haconn-duplex-v2-config" ‖ SHA-256(canonical configuration))
//
// K is the 32-byte secret of a duplex.key entry; ids are node ids (1 or 2) as one byte, keyId a
// big-endian u32. Nothing here reads a clock or the random source: callers pass them.
import { createHmac, createSecretKey, hkdfSync, type KeyObject, timingSafeEqual } from "node:crypto";
import { type AuthKey, createAuthKey } from "../auth.js";

/** Version byte of every duplex frame (header offset 3) since the authenticated handshake. */
export const DUPLEX_VERSION = 2;
/** Handshake frame types (TCP, before anything else on a connection). */
export const DX_AUTH_INIT = 0x30;
export const DX_AUTH_CHALLENGE = 0x31;
export const DX_AUTH_PROOF = 0x32;
/** Header flag bit 1: the body is AES-256-GCM ciphertext followed by its 16-byte tag. */
export const FLAG_SEALED = 0x02;
export const HANDSHAKE_NONCE_SIZE = 32;
export const PROOF_SIZE = 32;
export const GCM_TAG_SIZE = 16;
export const GCM_NONCE_SIZE = 12;

export type HandshakeRole = "client" | "server";
const ROLE_BYTE: Record<HandshakeRole, number> = { client: 1, server: 2 };

const ascii = (s: string) => Buffer.from(s, "ascii");
const u32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v);
  return b;
};

export interface ProofInput {
  /** Who computes the proof: the connecting node (client) or the listening one (server). */
  role: HandshakeRole;
  clientId: number;
  serverId: number;
  keyId: number;
  nc: Uint8Array;
  ns: Uint8Array;
}

/** The proof of knowledge of K one side sends in the handshake (bound to its role). */
export function handshakeProof(key: AuthKey, p: ProofInput): Uint8Array {
  const h = createHmac("sha256", key.hmacKey ?? key.secret);
  h.update(ascii("haconn-duplex-v2-proof"));
  h.update(Buffer.from([ROLE_BYTE[p.role], p.clientId, p.serverId]));
  h.update(u32(p.keyId)).update(p.nc).update(p.ns);
  return new Uint8Array(h.digest());
}

export function proofsEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === PROOF_SIZE && b.length === PROOF_SIZE && timingSafeEqual(a, b);
}

/** The two AES-256-GCM keys of one connection, named by direction. */
export interface SessionKeys {
  /** Encrypts what this node sends (from selfId to peerId). */
  send: KeyObject;
  /** Decrypts what the peer sends (from peerId to selfId). */
  receive: KeyObject;
}

export function streamKey(
  key: AuthKey,
  nc: Uint8Array,
  ns: Uint8Array,
  fromId: number,
  toId: number,
): KeyObject {
  const salt = Buffer.concat([nc, ns]);
  const info = Buffer.concat([ascii("haconn-duplex-v2-stream"), Buffer.from([fromId, toId])]);
  return createSecretKey(Buffer.from(hkdfSync("sha256", key.secret, salt, info, 32)));
}

export function sessionKeys(
  key: AuthKey,
  nc: Uint8Array,
  ns: Uint8Array,
  selfId: number,
  peerId: number,
): SessionKeys {
  return {
    send: streamKey(key, nc, ns, selfId, peerId),
    receive: streamKey(key, nc, ns, peerId, selfId),
  };
}

const heartbeatKeys = new WeakMap<AuthKey, Map<number, AuthKey>>();

/** The HMAC key of heartbeats sent by node `fromId` (same key id as the duplex key it comes from). */
export function heartbeatKey(key: AuthKey, fromId: number): AuthKey {
  let byNode = heartbeatKeys.get(key);
  if (!byNode) {
    byNode = new Map();
    heartbeatKeys.set(key, byNode);
  }
  let k = byNode.get(fromId);
  if (!k) {
    const info = Buffer.concat([ascii("haconn-duplex-v2-heartbeat"), Buffer.from([fromId])]);
    k = createAuthKey(key.id, new Uint8Array(hkdfSync("sha256", key.secret, Buffer.alloc(0), info, 32)));
    byNode.set(fromId, k);
  }
  return k;
}

/**
 * The configuration digest carried by HEARTBEAT and HELLO: an HMAC under the duplex send key of
 * the configuration's SHA-256 (`sha256Hex`, 64 hex digits), so that it cannot be used to guess
 * the configuration offline. Both nodes holding the same configuration and key agree.
 */
export function configDigestMac(key: AuthKey, sha256Hex: string): string {
  return createHmac("sha256", key.hmacKey ?? key.secret)
    .update(ascii("haconn-duplex-v2-config"))
    .update(Buffer.from(sha256Hex, "hex"))
    .digest("hex");
}

/** 12-byte AES-GCM nonce of the n-th sealed frame one side sends on a connection: 0(4) ‖ n(8). */
export function gcmNonce(counter: bigint): Buffer {
  const b = Buffer.alloc(GCM_NONCE_SIZE);
  b.writeBigUInt64BE(counter, 4);
  return b;
}
