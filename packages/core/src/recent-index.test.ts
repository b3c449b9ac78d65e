import { describe, expect, it } from "vitest";
import { RecentIndex, recentFromJson, recentIndexWork } from "./recent-index.js";
import type { RecentRequest } from "./types.js";

const entry = (key: string, at: number, result: RecentRequest["result"] = null): RecentRequest => ({
  key,
  target: "6001/10001",
  result,
  at,
});

/** Slots copied by `f`. */
function work(f: () => void): number {
  const before = recentIndexWork.copied;
  f();
  return recentIndexWork.copied - before;
}

describe("RecentIndex", () => {
  it("agrees with a plain ordered map over random sets and removes, and never changes an older index", () => {
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const model = new Map<string, RecentRequest>();
    let index = RecentIndex.empty;
    const kept: [RecentIndex, RecentRequest[]][] = [];
    for (let step = 0; step < 20_000; step++) {
      const key = `127.0.0.${rnd(4)}/1000${rnd(3)}#${rnd(60)}`;
      if (rnd(3) === 0) {
        model.delete(key);
        index = index.remove(key);
      } else {
        const e = entry(key, step);
        model.delete(key);
        model.set(key, e);
        index = index.set(e);
      }
      if (rnd(4) === 0 && model.size > 0) {
        // Expiry: the oldest goes.
        const oldest = index.oldest()!;
        expect(oldest).toBe(model.values().next().value);
        model.delete(oldest.key);
        index = index.remove(oldest.key);
      }
      expect(index.size).toBe(model.size);
      expect(index.get(key)).toBe(model.get(key));
      if (step % 1000 === 0) kept.push([index, [...model.values()]]);
    }
    expect(index.list()).toEqual([...model.values()]);
    for (const [old, list] of kept) expect(old.list()).toEqual(list);
  });

  it("is the list of entries, oldest first, on the wire, and reads that list (or an older build's record) back", () => {
    const index = RecentIndex.from([entry("a", 1), entry("b", 2, "DUMP")]).set(entry("a", 3, "POFF"));
    const wire = JSON.parse(JSON.stringify({ recent: index })).recent;
    expect(wire).toEqual([entry("b", 2, "DUMP"), entry("a", 3, "POFF")]);
    expect(recentFromJson(wire).list()).toEqual(wire);
    expect(recentFromJson({ b: wire[0], a: wire[1] }).list()).toEqual(wire);
    expect(recentFromJson(undefined).size).toBe(0);
    // Two indexes with the same entries are equal for tests, whatever their history.
    expect(recentFromJson(wire)).toEqual(index);
    expect(recentFromJson(wire)).not.toEqual(RecentIndex.from([wire[1]]));
  });

  it("costs the same per request with 100 entries and with 30 000 (O(1), not O(n))", () => {
    /** Largest work of one set + one lookup + one expiry, over 200 requests at `size` entries. */
    function perRequest(size: number): number {
      let index = RecentIndex.empty;
      for (let i = 0; i < size; i++) index = index.set(entry(`127.0.0.2/10002#${i}`, i));
      let most = 0;
      for (let i = size; i < size + 200; i++) {
        most = Math.max(
          most,
          work(() => {
            const key = `127.0.0.2/10002#${i}`;
            if (index.get(key)) throw new Error("not new");
            index = index.set(entry(key, i));
            index = index.remove(index.oldest()!.key);
          }),
        );
      }
      expect(index.size).toBe(size);
      return most;
    }
    const small = perRequest(100);
    const large = perRequest(30_000);
    console.log(`slots copied per request: ${small} at 100 entries, ${large} at 30 000`);
    // A path of at most 7 levels of 32 slots in each of the two tries, per update.
    expect(large).toBeLessThanOrEqual(4 * 7 * 32 + 8);
    expect(large).toBeLessThanOrEqual(small * 3);
    // The list it replaces copied every entry at each request: 30 000 here.
    expect(large).toBeLessThan(30_000 / 20);
  });
});
