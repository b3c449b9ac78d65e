// The two-holder count from address events: moments and total time within a window.
import { describe, expect, it } from "vitest";
import { type AddressEvent, overlapMs, overlaps, parseMonitorLine } from "./takeover-address-watch.js";

const ev = (t: number, node: string, added: boolean, addr = "10.0.0.100"): AddressEvent => ({
  t,
  node,
  addr,
  added,
});
const none = new Map([
  ["A", false],
  ["B", false],
]);
const onA = new Map([
  ["A", true],
  ["B", false],
]);

describe("overlaps", () => {
  it("counts nothing when the address moves with no instant on both", () => {
    const events = [ev(100, "A", false), ev(150, "B", true)];
    expect(overlaps(events, onA, "10.0.0.100", 0, 1000)).toEqual({ count: 0, totalMs: 0 });
  });

  it("counts each moment with two holders and their total time, clipped to the window", () => {
    const events = [
      ev(100, "B", true), // two holders from 100
      ev(300, "A", false), // until 300
      ev(400, "A", true), // again from 400
      ev(700, "B", false), // until 700
      ev(900, "B", true), // again from 900, still at the window's end (1000)
    ];
    expect(overlaps(events, onA, "10.0.0.100", 0, 1000)).toEqual({ count: 3, totalMs: 200 + 300 + 100 });
    expect(overlapMs(events, onA, "10.0.0.100", 0, 1000)).toBe(600);
    // A window that opens during a double holding counts it from the window's start.
    expect(overlaps(events, onA, "10.0.0.100", 200, 350)).toEqual({ count: 1, totalMs: 100 });
  });

  it("ignores other addresses and events after the window", () => {
    const events = [ev(100, "A", true), ev(120, "B", true, "10.0.0.1"), ev(2000, "B", true)];
    expect(overlaps(events, none, "10.0.0.100", 0, 1000)).toEqual({ count: 0, totalMs: 0 });
  });
});

describe("parseMonitorLine", () => {
  it("reads additions and deletions of IPv4 addresses", () => {
    const add = parseMonitorLine(
      "[2026-12-07T22:00:00.500000] 5: rp0    inet 10.0.0.100/24 scope global rp0",
      "A",
    );
    expect(add).toMatchObject({ node: "A", addr: "10.0.0.100", added: true });
    const del = parseMonitorLine(
      "[2026-12-07T22:00:01.000000] Deleted 5: rp0    inet 10.0.0.100/24 scope global rp0",
      "A",
    );
    expect(del).toMatchObject({ added: false });
    expect(del!.t - add!.t).toBeCloseTo(500, 3);
    expect(parseMonitorLine("not an address line", "A")).toBeUndefined();
  });
});
