// Per-key limits with bounded memory: a fixed table of slots indexed by a hash of the key (a
// source address, a reason): a new key takes its slot and evicts whoever held it, so a flood from
// millions of spoofed sources costs the same memory as one source, never a Map that grows per
// attacker address. Eviction can only make a limit more generous for the evicted key (it starts
// afresh), so each table also has a global budget per window that no number of sources can exceed.
//
// Pure: `now` is passed in (ms); nothing here reads a clock.

/** FNV-1a over the key's UTF-16 code units: cheap, no allocation. */
function hash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export interface WindowLimitOptions {
  /** Slots of the table (memory bound). */
  slots: number;
  /** Length of one window, ms. */
  windowMs: number;
  /** Events allowed per key and window. */
  perKey: number;
  /** Events allowed per window across all keys. */
  global: number;
}

/**
 * "At most `perKey` per key per window, `global` in all": for replies and log lines. `allow`
 * returns true when the event may happen; every refused event is counted in `suppressed`, which
 * the next allowed log line can report (and `takeSuppressed` resets).
 */
export class WindowLimit {
  private readonly keys: (string | undefined)[];
  private readonly starts: Float64Array;
  private readonly counts: Uint32Array;
  private globalStart = Number.NEGATIVE_INFINITY;
  private globalCount = 0;
  private suppressedCount = 0;

  constructor(private readonly o: WindowLimitOptions) {
    this.keys = new Array(o.slots).fill(undefined);
    this.starts = new Float64Array(o.slots);
    this.counts = new Uint32Array(o.slots);
  }

  /** Slots in use (bounded by `slots`; for the daemon's state dump and tests). */
  get used(): number {
    return this.keys.reduce((n, k) => (k === undefined ? n : n + 1), 0);
  }

  get capacity(): number {
    return this.o.slots;
  }

  get suppressed(): number {
    return this.suppressedCount;
  }

  takeSuppressed(): number {
    const n = this.suppressedCount;
    this.suppressedCount = 0;
    return n;
  }

  allow(key: string, now: number): boolean {
    if (now - this.globalStart >= this.o.windowMs) {
      this.globalStart = now;
      this.globalCount = 0;
    }
    const i = hash(key) % this.o.slots;
    if (this.keys[i] !== key || now - this.starts[i]! >= this.o.windowMs) {
      this.keys[i] = key;
      this.starts[i] = now;
      this.counts[i] = 0;
    }
    if (this.counts[i]! >= this.o.perKey || this.globalCount >= this.o.global) {
      this.suppressedCount += 1;
      return false;
    }
    this.counts[i] = this.counts[i]! + 1;
    this.globalCount += 1;
    return true;
  }
}
