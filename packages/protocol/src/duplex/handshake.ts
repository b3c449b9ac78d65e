// The duplex v2 handshake (docs/protocol.md §7.2): before anything else on a TCP connection both
// nodes prove knowledge of the duplex key over fresh nonces of both sides, then derive the
// connection's two AES-256-GCM keys. Pure: bytes in, bytes out; randomness and clock injected.
//
//   client (connects)                          server (listens)
//   AUTH-INIT      keyId, Nc          ──▶
//                                     ◀──      AUTH-CHALLENGE keyId, Ns, proof(server)
//   AUTH-PROOF     proof(client)      ──▶
//   sealed frames (HELLO, ...)        ◀─▶      sealed frames (HELLO, SNAPSHOT, ...)
//
// The server sends its challenge only in answer to a well-formed AUTH-INIT of the peer's node id
// naming a key it holds, and nothing else before the client's proof checked. A proof is bound to
// the role of its sender, both node ids, the key id and both nonces: a proof seen on one
// connection, or reflected from the other direction, is worthless.
import type { AuthKey } from "../auth.js";
import { HEADER_SIZE, MAGIC, PROTOCOL_DUPLEX } from "../constants.js";
import {
  DUPLEX_VERSION,
  DX_AUTH_CHALLENGE,
  DX_AUTH_INIT,
  DX_AUTH_PROOF,
  HANDSHAKE_NONCE_SIZE,
  type HandshakeRole,
  handshakeProof,
  PROOF_SIZE,
  proofsEqual,
  type SessionKeys,
  sessionKeys,
} from "./v2-keys.js";

export const AUTH_INIT_BODY = 4 + HANDSHAKE_NONCE_SIZE;
export const AUTH_CHALLENGE_BODY = 4 + HANDSHAKE_NONCE_SIZE + PROOF_SIZE;
export const AUTH_PROOF_BODY = PROOF_SIZE;
/** Default time a connection has to complete the handshake. */
export const HANDSHAKE_TIMEOUT_MS = 2000;

export type HandshakeFailure =
  | "unsupported-version"
  | "bad-magic"
  | "wrong-protocol"
  | "unknown-type"
  | "bad-flags"
  | "bad-body"
  | "wrong-sender"
  | "unknown-key"
  | "bad-proof"
  | "timeout";

export interface HandshakeOptions {
  role: HandshakeRole;
  selfId: number;
  peerId: number;
  /** Keys accepted (a server answers an AUTH-INIT naming any of them). */
  keys: readonly AuthKey[];
  /** The key a client offers. */
  sendKey: AuthKey;
  random: (n: number) => Uint8Array;
  now: () => number;
  timeoutMs?: number;
}

export type HandshakeStep =
  | { state: "pending"; send: Uint8Array[] }
  | { state: "done"; send: Uint8Array[]; keys: SessionKeys; keyId: number; rest: Uint8Array }
  | { state: "failed"; send: Uint8Array[]; reason: HandshakeFailure; detail: string };

/** One handshake frame: the common header (version 2, flags 0, requestId 0) and its body. */
export function encodeHandshakeFrame(
  type: number,
  senderId: number,
  timestampMs: number,
  body: Uint8Array,
): Uint8Array {
  const b = Buffer.alloc(HEADER_SIZE + body.length);
  b.writeUInt16BE(MAGIC, 0);
  b[2] = PROTOCOL_DUPLEX;
  b[3] = DUPLEX_VERSION;
  b[4] = type;
  b[5] = 0;
  b.writeUInt16BE(0, 6);
  b.writeUInt32BE(body.length, 8);
  b.writeUInt32BE(0, 12);
  b.writeUInt32BE(senderId, 16);
  b.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(timestampMs))), 20);
  b.set(body, HEADER_SIZE);
  return new Uint8Array(b);
}

const BODY_OF: Record<number, number> = {
  [DX_AUTH_INIT]: AUTH_INIT_BODY,
  [DX_AUTH_CHALLENGE]: AUTH_CHALLENGE_BODY,
  [DX_AUTH_PROOF]: AUTH_PROOF_BODY,
};

export class DuplexHandshake {
  readonly deadline: number;
  private buffered: Uint8Array = new Uint8Array(0);
  private nc: Uint8Array | undefined;
  private ns: Uint8Array | undefined;
  private key: AuthKey | undefined;
  private expecting: number;
  private finished = false;

  constructor(private readonly o: HandshakeOptions) {
    this.deadline = o.now() + (o.timeoutMs ?? HANDSHAKE_TIMEOUT_MS);
    this.expecting = o.role === "client" ? DX_AUTH_CHALLENGE : DX_AUTH_INIT;
  }

  private get clientId(): number {
    return this.o.role === "client" ? this.o.selfId : this.o.peerId;
  }

  private get serverId(): number {
    return this.o.role === "server" ? this.o.selfId : this.o.peerId;
  }

  /** What a client sends first (AUTH-INIT); a server sends nothing before it hears one. */
  start(): Uint8Array[] {
    if (this.o.role !== "client" || this.nc) return [];
    this.nc = this.o.random(HANDSHAKE_NONCE_SIZE);
    this.key = this.o.sendKey;
    const body = Buffer.alloc(AUTH_INIT_BODY);
    body.writeUInt32BE(this.key.id, 0);
    body.set(this.nc, 4);
    return [encodeHandshakeFrame(DX_AUTH_INIT, this.o.selfId, this.o.now(), body)];
  }

  expired(now: number): boolean {
    return !this.finished && now >= this.deadline;
  }

  /** Bytes received. Keeps at most one handshake frame's bytes between calls. */
  push(chunk: Uint8Array): HandshakeStep {
    if (this.finished) return this.fail("bad-body", "handshake already ended");
    if (this.expired(this.o.now())) return this.fail("timeout", "handshake not completed in time");
    const all = new Uint8Array(this.buffered.length + chunk.length);
    all.set(this.buffered);
    all.set(chunk, this.buffered.length);
    this.buffered = new Uint8Array(0);
    const send: Uint8Array[] = [];
    let at = 0;
    for (;;) {
      if (all.length - at < HEADER_SIZE) break;
      const head = Buffer.from(all.buffer, all.byteOffset + at, HEADER_SIZE);
      const bad = this.checkHeader(head);
      if (bad) return this.fail(bad[0], bad[1], send);
      const total = HEADER_SIZE + head.readUInt32BE(8);
      if (all.length - at < total) break;
      const body = all.subarray(at + HEADER_SIZE, at + total);
      at += total;
      const step = this.frame(body, send);
      if (step) {
        if (step.state === "done") return { ...step, rest: all.slice(at) };
        return step;
      }
    }
    this.buffered = all.slice(at);
    return { state: "pending", send };
  }

  private checkHeader(h: Buffer): [HandshakeFailure, string] | undefined {
    if (h.readUInt16BE(0) !== MAGIC) return ["bad-magic", "not a haconn frame"];
    if (h[2] !== PROTOCOL_DUPLEX) return ["wrong-protocol", `protocol ${h[2]}`];
    if (h[3] !== DUPLEX_VERSION) return ["unsupported-version", `version ${h[3]}`];
    if (h[4] !== this.expecting) return ["unknown-type", `type 0x${h[4]!.toString(16)} during the handshake`];
    if (h[5] !== 0) return ["bad-flags", `flags 0x${h[5]!.toString(16)}`];
    if (h.readUInt32BE(8) !== BODY_OF[this.expecting])
      return ["bad-body", `body of ${h.readUInt32BE(8)} bytes`];
    if (h.readUInt32BE(16) !== this.o.peerId) return ["wrong-sender", `senderId ${h.readUInt32BE(16)}`];
    return undefined;
  }

  private frame(body: Uint8Array, send: Uint8Array[]): HandshakeStep | undefined {
    const b = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    const ids = { clientId: this.clientId, serverId: this.serverId };
    switch (this.expecting) {
      case DX_AUTH_INIT: {
        const keyId = b.readUInt32BE(0);
        const key = this.o.keys.find((k) => k.id === keyId);
        if (!key) return this.fail("unknown-key", `key id ${keyId}`, send);
        this.key = key;
        this.nc = new Uint8Array(b.subarray(4, 4 + HANDSHAKE_NONCE_SIZE));
        this.ns = this.o.random(HANDSHAKE_NONCE_SIZE);
        const proof = handshakeProof(key, { role: "server", ...ids, keyId, nc: this.nc, ns: this.ns });
        const out = Buffer.alloc(AUTH_CHALLENGE_BODY);
        out.writeUInt32BE(keyId, 0);
        out.set(this.ns, 4);
        out.set(proof, 4 + HANDSHAKE_NONCE_SIZE);
        send.push(encodeHandshakeFrame(DX_AUTH_CHALLENGE, this.o.selfId, this.o.now(), out));
        this.expecting = DX_AUTH_PROOF;
        return undefined;
      }
      case DX_AUTH_CHALLENGE: {
        const key = this.key!;
        const keyId = b.readUInt32BE(0);
        if (keyId !== key.id) return this.fail("unknown-key", `key id ${keyId}, offered ${key.id}`, send);
        this.ns = new Uint8Array(b.subarray(4, 4 + HANDSHAKE_NONCE_SIZE));
        const got = b.subarray(4 + HANDSHAKE_NONCE_SIZE);
        const want = handshakeProof(key, { role: "server", ...ids, keyId, nc: this.nc!, ns: this.ns });
        if (!proofsEqual(got, want)) return this.fail("bad-proof", "the peer's proof does not match", send);
        const proof = handshakeProof(key, { role: "client", ...ids, keyId, nc: this.nc!, ns: this.ns });
        send.push(encodeHandshakeFrame(DX_AUTH_PROOF, this.o.selfId, this.o.now(), proof));
        return this.done(send);
      }
      default: {
        const key = this.key!;
        const want = handshakeProof(key, {
          role: "client",
          ...ids,
          keyId: key.id,
          nc: this.nc!,
          ns: this.ns!,
        });
        if (!proofsEqual(b, want)) return this.fail("bad-proof", "the peer's proof does not match", send);
        return this.done(send);
      }
    }
  }

  private done(send: Uint8Array[]): HandshakeStep {
    this.finished = true;
    const keys = sessionKeys(this.key!, this.nc!, this.ns!, this.o.selfId, this.o.peerId);
    return { state: "done", send, keys, keyId: this.key!.id, rest: new Uint8Array(0) };
  }

  private fail(reason: HandshakeFailure, detail: string, send: Uint8Array[] = []): HandshakeStep {
    this.finished = true;
    this.buffered = new Uint8Array(0);
    return { state: "failed", send, reason, detail };
  }
}
