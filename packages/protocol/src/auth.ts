// HMAC-SHA256 trailer: keyId(4) nonce(8) tag(32), the tag computed over every byte before it.
// Time is injected: callers pass `now` (ms since the epoch); nothing here reads a clock.
import { createHmac, createSecretKey, type KeyObject, randomBytes, timingSafeEqual } from "node:crypto";
import { DEFAULT_AUTH_WINDOW_MS, DEFAULT_REPLAY_CACHE_SIZE, NONCE_SIZE, TAG_SIZE } from "./constants.js";

export interface AuthKey {
  /** 1..2^32-1, carried in the trailer. */
  readonly id: number;
  /** The shared secret, 32 bytes when created by generateAuthKey(). */
  readonly secret: Uint8Array;
  /** The secret imported once for HMAC (about 10x cheaper per datagram than raw bytes). */
  readonly hmacKey?: KeyObject;
}

/** An AuthKey with its HMAC key imported; use this rather than a bare object literal. */
export function createAuthKey(id: number, secret: Uint8Array): AuthKey {
  return { id, secret, hmacKey: createSecretKey(secret) };
}

/** How a receiver treats authentication. With no keys at all, trailers are ignored. */
export interface AuthVerifier {
  /** Keys accepted on receive (during a rotation: the old and the new one). */
  readonly keys: readonly AuthKey[];
  /** true: datagrams without a trailer are dropped ("unauthenticated"). Always true on the duplex link. */
  readonly require: boolean;
  /** Accepted clock difference, both ways. Default 30 s. */
  readonly windowMs?: number;
  /** Remembers tags of accepted datagrams; one per receiving socket. */
  readonly replay: ReplayCache;
  /**
   * Frames timestamped before this (ms since the epoch) are dropped `stale`: the receiver's
   * start. The replay cache lives in memory, so without it a frame captured before a restart
   * (or before a standby took over) could be replayed within the window afterwards.
   */
  readonly notBeforeMs?: number;
}

/** How a sender signs: the key and, for reproducible output (fixtures), a fixed nonce. */
export interface AuthSigner {
  readonly key: AuthKey;
  readonly nonce?: Uint8Array;
}

export function computeTag(key: AuthKey, signed: Uint8Array): Uint8Array {
  return new Uint8Array(
    createHmac("sha256", key.hmacKey ?? key.secret)
      .update(signed)
      .digest(),
  );
}

export function tagsEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === TAG_SIZE && b.length === TAG_SIZE && timingSafeEqual(a, b);
}

export function randomNonce(): Uint8Array {
  return new Uint8Array(randomBytes(NONCE_SIZE));
}

export function authWindow(v: AuthVerifier): number {
  return v.windowMs ?? DEFAULT_AUTH_WINDOW_MS;
}

/**
 * Tags of authenticated datagrams seen within the time window. A datagram is a replay when its
 * tag was seen, or when its timestamp is not newer than the newest entry evicted for lack of
 * room (so a full cache never lets an old datagram through). Entries older than the window are
 * forgotten: such datagrams are already dropped as stale.
 */
export class ReplayCache {
  private readonly seen = new Map<string, number>();
  private floorMs = -1;

  constructor(
    private readonly windowMs = DEFAULT_AUTH_WINDOW_MS,
    private readonly capacity = DEFAULT_REPLAY_CACHE_SIZE,
  ) {}

  get size(): number {
    return this.seen.size;
  }

  /** Returns true when (tag, timestamp) is a replay; otherwise remembers it and returns false. */
  checkAndRemember(tag: Uint8Array, timestampMs: number, now: number): boolean {
    this.purge(now);
    const key = Buffer.from(tag.buffer, tag.byteOffset, tag.byteLength).toString("latin1");
    if (timestampMs <= this.floorMs || this.seen.has(key)) return true;
    if (this.seen.size >= this.capacity) {
      const first = this.seen.entries().next().value;
      if (first) {
        this.seen.delete(first[0]);
        this.floorMs = Math.max(this.floorMs, first[1]);
      }
      if (timestampMs <= this.floorMs) return true;
    }
    this.seen.set(key, timestampMs);
    return false;
  }

  private purge(now: number): void {
    const oldest = now - this.windowMs;
    for (const [key, ts] of this.seen) {
      if (ts >= oldest) break;
      this.seen.delete(key);
    }
  }
}
