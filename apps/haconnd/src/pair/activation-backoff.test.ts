import { describe, expect, it } from "vitest";
import { ActivationBackoff } from "./activation-backoff.js";

describe("ActivationBackoff", () => {
  it("doubles the hold per consecutive failure up to the cap; a success clears it", () => {
    const b = new ActivationBackoff(1000, 4000);
    expect(b.held(0)).toBe(false);
    expect(b.failed(0)).toBe(1000);
    expect(b.held(999)).toBe(true);
    expect(b.held(1000)).toBe(false);
    expect(b.failed(1000)).toBe(2000);
    expect(b.failed(3000)).toBe(4000);
    expect(b.failed(7000)).toBe(4000);
    expect(b.consecutiveFailures).toBe(4);
    b.succeeded();
    expect(b.held(7001)).toBe(false);
    expect(b.failed(8000)).toBe(1000);
  });
});
