// Decoding never throws on bytes from the network: it returns ok or a drop with a reason code.
// Each reason has a counter the daemon exposes (keepalived's per-cause statistics).

export const DROP_REASONS = [
  /** Shorter than the fixed header (or than a fence_kdump notice). */
  "short",
  /** Longer than the largest datagram, or a stream frame body larger than the stream limit. */
  "too-long",
  /** First bytes are not the protocol's magic. */
  "bad-magic",
  /** A frame of the other haconn protocol (duplex on the reset path, or the reverse). */
  "wrong-protocol",
  /** Version this receiver does not implement (a reset-path receiver answers UNSUPPORTED-VERSION). */
  "unsupported-version",
  /** Reserved flag bits set. */
  "bad-flags",
  /** Fewer bytes than header + body length (+ trailer). */
  "truncated",
  /** More bytes than header + body length (+ trailer). */
  "trailing-bytes",
  /** No trailer while this receiver requires authentication. */
  "unauthenticated",
  /** Trailer names a key id this receiver does not hold. */
  "unknown-key",
  /** HMAC does not match. */
  "bad-mac",
  /** Authenticated timestamp outside the accepted window. */
  "stale",
  /** Authenticated datagram already seen (same tag), or older than the replay cache remembers. */
  "replay",
  /** Type not defined for this protocol and version. */
  "unknown-type",
  /** Body shorter or longer than its fields, or malformed payload (bad UTF-8 or JSON). */
  "bad-body",
  /** A field outside its range (enum value, name charset or length, reserved bits, zero id). */
  "bad-field",
] as const;

export type DropReason = (typeof DROP_REASONS)[number];

export interface Drop {
  ok: false;
  reason: DropReason;
  /** Short human detail for a rate-limited log line. Never contains key material. */
  detail: string;
}

export interface Ok<T> {
  ok: true;
  value: T;
}

export type DecodeResult<T> = Ok<T> | Drop;

export function ok<T>(value: T): Ok<T> {
  return { ok: true, value };
}

export function drop(reason: DropReason, detail: string): Drop {
  return { ok: false, reason, detail };
}

/** One counter per drop reason. */
export type DropCounters = Record<DropReason, number>;

export function createDropCounters(): DropCounters {
  const counters = {} as DropCounters;
  for (const reason of DROP_REASONS) counters[reason] = 0;
  return counters;
}

/** Counts a drop into counters the caller owns; returns the drop for chaining. */
export function countDrop(counters: DropCounters, result: Drop): Drop {
  counters[result.reason] += 1;
  return result;
}
