import { describe, expect, it } from "vitest";
import { LogLimit } from "./log-limit.js";

describe("LogLimit", () => {
  it("one line per key per period, counting the ones held back", () => {
    let t = 0;
    const l = new LogLimit(() => t, 60_000);
    expect(l.take("bad-mac")).toBe(0);
    expect(l.take("bad-mac")).toBeUndefined();
    expect(l.take("bad-mac")).toBeUndefined();
    expect(l.take("timeout")).toBe(0);
    t = 60_000;
    expect(l.take("bad-mac")).toBe(2);
  });
});
