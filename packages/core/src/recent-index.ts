// The requests remembered for retransmissions (`SharedState.recent`): a map keyed by request key
// and an expiry queue in arrival order, both persistent hash tries. A state is a value: an update
// copies only the few 32-slot nodes on one path (at most 7 levels, whatever the number of
// entries), so each RESET costs O(1), and an older state (a standby's mirror, the state before a
// transition) is never changed by a newer one.
//
// On the wire (SNAPSHOT, `haconnctl dump`) it is the list of entries in arrival order, oldest
// first (`toJSON`), as it was when `recent` was an array; `RecentIndex.from` reads that list back.

import type { RecentRequest } from "./recent-request.js";

const BITS = 5;
const WIDTH = 1 << BITS;
const MASK = WIDTH - 1;

interface Bucket<K, V> {
  readonly hash: number;
  readonly items: readonly (readonly [K, V])[];
}
type Slot<K, V> = TrieNode<K, V> | Bucket<K, V> | undefined;
interface TrieNode<K, V> {
  readonly slots: readonly Slot<K, V>[];
}

/** Slots copied by updates since the process started: the unit tests count the work per request. */
export const recentIndexWork = { copied: 0 };

function isNode<K, V>(slot: Slot<K, V>): slot is TrieNode<K, V> {
  return slot !== undefined && "slots" in slot;
}

function withSlot<K, V>(node: TrieNode<K, V> | undefined, i: number, slot: Slot<K, V>): TrieNode<K, V> {
  const slots = node ? node.slots.slice() : new Array<Slot<K, V>>(WIDTH).fill(undefined);
  recentIndexWork.copied += WIDTH;
  slots[i] = slot;
  return { slots };
}

function trieGet<K, V>(root: TrieNode<K, V> | undefined, hash: number, key: K): V | undefined {
  let slot: Slot<K, V> = root;
  for (let shift = 0; isNode(slot); shift += BITS) slot = slot.slots[(hash >>> shift) & MASK];
  if (slot === undefined || slot.hash !== hash) return undefined;
  return slot.items.find((item) => item[0] === key)?.[1];
}

function trieSet<K, V>(
  node: TrieNode<K, V> | undefined,
  shift: number,
  hash: number,
  key: K,
  value: V,
): TrieNode<K, V> {
  const i = (hash >>> shift) & MASK;
  const slot = node?.slots[i];
  if (isNode(slot)) return withSlot(node, i, trieSet(slot, shift + BITS, hash, key, value));
  if (slot === undefined) return withSlot(node, i, { hash, items: [[key, value]] });
  if (slot.hash === hash) {
    // The same hash: the key itself, or a collision (kept side by side).
    const items = slot.items.filter((item) => item[0] !== key);
    recentIndexWork.copied += slot.items.length;
    return withSlot(node, i, { hash, items: [...items, [key, value]] });
  }
  // Another hash in this slot: push it one level down, then insert there.
  const below = withSlot<K, V>(undefined, (slot.hash >>> (shift + BITS)) & MASK, slot);
  return withSlot(node, i, trieSet(below, shift + BITS, hash, key, value));
}

/** The node without `key` (undefined once empty); the same node when the key is absent. */
function trieRemove<K, V>(
  node: TrieNode<K, V>,
  shift: number,
  hash: number,
  key: K,
): TrieNode<K, V> | undefined {
  const i = (hash >>> shift) & MASK;
  const slot = node.slots[i];
  let next: Slot<K, V>;
  if (isNode(slot)) {
    next = trieRemove(slot, shift + BITS, hash, key);
    if (next === slot) return node;
  } else {
    if (slot === undefined || slot.hash !== hash || !slot.items.some((item) => item[0] === key)) return node;
    const items = slot.items.filter((item) => item[0] !== key);
    recentIndexWork.copied += slot.items.length;
    next = items.length > 0 ? { hash, items } : undefined;
  }
  const copy = withSlot(node, i, next);
  return copy.slots.every((s) => s === undefined) ? undefined : copy;
}

/** FNV-1a, 32 bits. */
function hashOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

interface Held {
  readonly entry: RecentRequest;
  /** Its place in the expiry queue. */
  readonly seq: number;
}

export class RecentIndex implements Iterable<RecentRequest> {
  static readonly empty = new RecentIndex(undefined, undefined, 0, 0, 0);

  /** An index of `entries`, given oldest first (a SNAPSHOT's list). */
  static from(entries: Iterable<RecentRequest>): RecentIndex {
    let index = RecentIndex.empty;
    for (const entry of entries) index = index.set(entry);
    return index;
  }

  // Private fields: a test's `toEqual` compares two indexes by their entries (the iterator).
  readonly #byKey: TrieNode<string, Held> | undefined;
  /** seq → key; entries [head, tail) of which the ones replaced or removed since are skipped. */
  readonly #queue: TrieNode<number, string> | undefined;
  readonly #head: number;
  readonly #tail: number;
  readonly #size: number;

  private constructor(
    byKey: TrieNode<string, Held> | undefined,
    queue: TrieNode<number, string> | undefined,
    head: number,
    tail: number,
    size: number,
  ) {
    this.#byKey = byKey;
    this.#queue = queue;
    this.#head = head;
    this.#tail = tail;
    this.#size = size;
  }

  get size(): number {
    return this.#size;
  }

  get(key: string): RecentRequest | undefined {
    return trieGet(this.#byKey, hashOf(key), key)?.entry;
  }

  /** The entry that expires first (the oldest). */
  oldest(): RecentRequest | undefined {
    if (this.#head === this.#tail) return undefined;
    const key = trieGet(this.#queue, this.#head, this.#head);
    return key === undefined ? undefined : this.get(key);
  }

  /** With `entry` (replacing the one of its key) as the newest. */
  set(entry: RecentRequest): RecentIndex {
    const hash = hashOf(entry.key);
    const had = trieGet(this.#byKey, hash, entry.key) !== undefined;
    const seq = this.#tail;
    const byKey = trieSet(this.#byKey, 0, hash, entry.key, { entry, seq });
    const queue = trieSet(this.#queue, 0, seq, seq, entry.key);
    return new RecentIndex(byKey, queue, this.#head, seq + 1, this.#size + (had ? 0 : 1)).#skipStale();
  }

  /** Without the entry of `key` (the same index when there is none). */
  remove(key: string): RecentIndex {
    const hash = hashOf(key);
    if (!this.#byKey || trieGet(this.#byKey, hash, key) === undefined) return this;
    const byKey = trieRemove(this.#byKey, 0, hash, key);
    return new RecentIndex(byKey, this.#queue, this.#head, this.#tail, this.#size - 1).#skipStale();
  }

  /** Drops queue places at the head whose entry was replaced or removed: the head is live. Each
   * place is dropped once, so this is O(1) amortised per update. */
  #skipStale(): RecentIndex {
    let queue = this.#queue;
    let head = this.#head;
    while (head < this.#tail) {
      const key = trieGet(queue, head, head);
      if (key !== undefined && trieGet(this.#byKey, hashOf(key), key)?.seq === head) break;
      queue = queue && trieRemove(queue, 0, head, head);
      head++;
    }
    if (head === this.#head) return this;
    return new RecentIndex(this.#byKey, queue, head, this.#tail, this.#size);
  }

  /** The entries, oldest first. */
  *[Symbol.iterator](): Iterator<RecentRequest> {
    for (let seq = this.#head; seq < this.#tail; seq++) {
      const key = trieGet(this.#queue, seq, seq);
      if (key === undefined) continue;
      const held = trieGet(this.#byKey, hashOf(key), key);
      if (held?.seq === seq) yield held.entry;
    }
  }

  list(): RecentRequest[] {
    return [...this];
  }

  toJSON(): RecentRequest[] {
    return this.list();
  }
}

/**
 * `recent` as a SNAPSHOT or a dump carries it: the list of entries oldest first, or (builds
 * before 2026-11-25) a record keyed by request.
 */
export function recentFromJson(data: unknown): RecentIndex {
  if (data instanceof RecentIndex) return data;
  if (Array.isArray(data)) return RecentIndex.from(data as RecentRequest[]);
  if (data && typeof data === "object") return RecentIndex.from(Object.values(data) as RecentRequest[]);
  return RecentIndex.empty;
}
