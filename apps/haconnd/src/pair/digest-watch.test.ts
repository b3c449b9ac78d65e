import { describe, expect, it } from "vitest";
import { DigestWatch } from "./digest-watch.js";

describe("DigestWatch", () => {
  const make = () => {
    const lines: string[] = [];
    const watch = new DigestWatch((level, message) => lines.push(`${level}: ${message}`), 2000);
    return { lines, watch };
  };

  it("warns once when the digests stay different past the grace, and says when they match again", () => {
    const { lines, watch } = make();
    watch.compare("aaaa", "HACON2", "bbbb", 0);
    watch.compare("aaaa", "HACON2", "bbbb", 1999);
    expect(lines).toEqual([]);
    expect(watch.mismatched).toBe(false);
    watch.compare("aaaa", "HACON2", "bbbb", 2000);
    watch.compare("aaaa", "HACON2", "bbbb", 9000);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^warn: configuration differs from HACON2's .*run haconnact copy/);
    expect(watch.mismatched).toBe(true);
    watch.compare("cccc", "HACON2", "cccc", 9500);
    expect(lines[1]).toBe("info: configuration matches HACON2's again");
    expect(watch.mismatched).toBe(false);
  });

  it("a difference that ends within the grace (a reload's copy) is never reported", () => {
    const { lines, watch } = make();
    watch.compare("aaaa", "HACON2", "bbbb", 0);
    watch.compare("aaaa", "HACON2", "aaaa", 1500);
    watch.compare("aaaa", "HACON2", "aaaa", 5000);
    expect(lines).toEqual([]);
  });

  it("a new pair of digests starts its own grace", () => {
    const { lines, watch } = make();
    watch.compare("aaaa", "HACON2", "bbbb", 0);
    watch.compare("aaaa", "HACON2", "cccc", 1500);
    watch.compare("aaaa", "HACON2", "cccc", 3000);
    expect(lines).toEqual([]);
    watch.compare("aaaa", "HACON2", "cccc", 3500);
    expect(lines).toHaveLength(1);
  });
});
