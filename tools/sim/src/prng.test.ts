import { describe, expect, it } from "vitest";
import { EventQueue } from "./event-queue.js";
import { Rng } from "./prng.js";

describe("Rng", () => {
  it("is deterministic per seed and differs between seeds", () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const xs = Array.from({ length: 20 }, () => a.next());
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 20 }, () => c.next())).not.toEqual(xs);
  });

  it("stays in range and covers it", () => {
    const rng = new Rng(7);
    const seen = new Set<number>();
    for (let i = 0; i < 10_000; i++) {
      const v = rng.int(3, 9);
      expect(v).toBeGreaterThanOrEqual(3);
      expect(v).toBeLessThanOrEqual(9);
      seen.add(v);
      const f = rng.next();
      expect(f >= 0 && f < 1).toBe(true);
    }
    expect(seen.size).toBe(7);
  });
});

describe("EventQueue", () => {
  it("pops by time, then by insertion order", () => {
    const q = new EventQueue();
    const order: string[] = [];
    const times = [5, 1, 5, 3, 1, 9, 0];
    for (const [seq, at] of times.entries()) {
      q.push({ at, seq, label: `${at}/${seq}`, run: () => order.push(`${at}/${seq}`) });
    }
    for (let e = q.pop(); e; e = q.pop()) e.run();
    expect(order).toEqual(["0/6", "1/1", "1/4", "3/3", "5/0", "5/2", "9/5"]);
  });
});
