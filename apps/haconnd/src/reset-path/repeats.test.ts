import { SimulatedClock } from "@haconn/core/test";
import { REPEAT_MAX_SENDS } from "@haconn/protocol";
import { describe, expect, it } from "vitest";
import { Repeats, SERIES_PER_OWNER } from "./repeats.js";

describe("repeat series", () => {
  it("repeat every second until cancelled or REPEAT_MAX_SENDS sends", async () => {
    const clock = new SimulatedClock();
    const r = new Repeats(clock);
    const sent: string[] = [];
    r.start("a", (n) => sent.push(`a${n}`));
    r.start("b", (n) => sent.push(`b${n}`), "owner");
    await clock.advance(2500);
    expect(r.cancel("a")).toBe(true);
    expect(r.cancel("a")).toBe(false);
    await clock.advance(20_000);
    expect(sent.filter((s) => s.startsWith("a"))).toEqual(["a0", "a1", "a2"]);
    expect(sent.filter((s) => s.startsWith("b"))).toHaveLength(REPEAT_MAX_SENDS);
    expect(r.size).toBe(0);
    expect(r.owners).toBe(0);
  });

  it("one owner (a requester) has at most SERIES_PER_OWNER series at once; more are sent once, no timer", async () => {
    const clock = new SimulatedClock();
    const r = new Repeats(clock);
    let sends = 0;
    for (let i = 0; i < 1000; i++) r.start(`result/${i}`, () => sends++, "127.0.0.22/10002");
    expect(r.size).toBe(SERIES_PER_OWNER);
    expect(sends).toBe(1000);
    r.start("result/other", () => sends++, "127.0.0.21/10001"); // another requester is not affected
    expect(r.size).toBe(SERIES_PER_OWNER + 1);
    // A cancelled series frees a place.
    expect(r.cancel("result/0")).toBe(true);
    r.start("result/new", () => sends++, "127.0.0.22/10002");
    expect(r.size).toBe(SERIES_PER_OWNER + 1);
    await clock.advance(20_000);
    expect(r.size).toBe(0);
    expect(r.owners).toBe(0);
  });
});
