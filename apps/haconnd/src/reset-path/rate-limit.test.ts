import { describe, expect, it } from "vitest";
import { logLimit, replyLimit, WindowLimit } from "./rate-limit.js";

describe("WindowLimit", () => {
  it("one line per reason per source per minute; a new minute allows the next", () => {
    const l = logLimit();
    expect(l.allow("bad-mac 127.0.0.9", 0)).toBe(true);
    expect(l.allow("bad-mac 127.0.0.9", 1000)).toBe(false);
    expect(l.allow("short 127.0.0.9", 1000)).toBe(true); // another reason
    expect(l.allow("bad-mac 127.0.0.10", 1000)).toBe(true); // another source
    expect(l.allow("bad-mac 127.0.0.9", 59_999)).toBe(false);
    expect(l.allow("bad-mac 127.0.0.9", 60_000)).toBe(true);
    expect(l.takeSuppressed()).toBe(2);
    expect(l.suppressed).toBe(0);
  });

  it("a million sources: memory stays the table, lines stay the global budget", () => {
    const l = logLimit();
    let lines = 0;
    for (let i = 0; i < 1_000_000; i++) {
      if (l.allow(`bad-mac 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, i / 100)) lines++;
    }
    // 10 000 s of simulated time: at most 60 lines per minute.
    expect(lines).toBeLessThanOrEqual(60 * Math.ceil(10_000 / 60));
    expect(l.used).toBeLessThanOrEqual(l.capacity);
  });

  it("replies: 2 per source per second, 512 a second in all", () => {
    const r = replyLimit();
    expect([0, 1, 2].map((t) => r.allow("127.0.0.9", t))).toEqual([true, true, false]);
    expect(r.allow("127.0.0.9", 1000)).toBe(true);
    let n = 0;
    for (let i = 0; i < 1000; i++) if (r.allow(`127.1.${i >> 8}.${i & 255}`, 1500)) n++;
    expect(n).toBe(511); // 512 in the window starting at 1000, one taken above
  });

  it("eviction restarts the evicted key's window, never more than the global budget", () => {
    const l = new WindowLimit({ slots: 1, windowMs: 60_000, perKey: 1, global: 3 });
    expect(l.allow("a", 0)).toBe(true);
    expect(l.allow("b", 0)).toBe(true); // evicts a
    expect(l.allow("a", 0)).toBe(true); // a afresh
    expect(l.allow("b", 0)).toBe(false); // global budget of 3 spent
  });
});
