import { describe, expect, it } from "vitest";
import { analyzeSlices, bundleModules, type CpuProfile, type CpuProfileNode } from "./cpu-slices.js";

const frame = (id: number, functionName: string, url = "", children: number[] = []): CpuProfileNode => ({
  id,
  callFrame: { functionName, url, lineNumber: 0 },
  children,
});

// root ─ (idle) 2
//      ├ (garbage collector) 3
//      ├ listOnTimeout 4 ─ pollSlice 5 ─ exec (ssh2) 6
//      ├ onMessage 7 ─ handle (reset-path) 8
//      └ somethingElse 9
const nodes = [
  frame(1, "(root)", "", [2, 3, 4, 7, 9]),
  frame(2, "(idle)"),
  frame(3, "(garbage collector)"),
  frame(4, "listOnTimeout", "node:internal/timers", [5]),
  frame(5, "pollSlice", "file:///x/haconnd.js", [6]),
  frame(6, "exec", "file:///x/node_modules/ssh2/lib/client.js"),
  frame(7, "onMessage", "node:dgram", [8]),
  frame(8, "handle", "file:///x/apps/haconnd/src/reset-path/server.js"),
  frame(9, "somethingElse", "file:///x/other.js"),
];

/** A profile from (node, µs since the previous sample) pairs, starting at 1 000 000 µs. */
function profile(samples: [number, number][]): CpuProfile {
  return {
    nodes,
    startTime: 1_000_000,
    endTime: 2_000_000,
    samples: samples.map(([n]) => n),
    timeDeltas: samples.map(([, d]) => d),
  };
}

const idle = (n: number): [number, number][] => Array.from({ length: n }, () => [2, 100]);
const run = (node: number, n: number): [number, number][] => Array.from({ length: n }, () => [node, 100]);

describe("busy stretches of the main thread from a CPU profile", () => {
  it("a run of non-idle samples is one stretch, ended by the next idle sample, attributed by its stacks", () => {
    const a = analyzeSlices(
      profile([
        ...idle(5),
        ...run(6, 30),
        ...run(3, 10),
        ...idle(5),
        ...run(8, 12),
        ...idle(3),
        ...run(3, 5),
        ...idle(1),
      ]),
    );
    expect(a.intervalUs).toBe(100);
    expect(a.stretches.map((s) => [s.durationMs, s.attribution])).toEqual([
      [4, "polling"], // 30 ssh2 samples under the poll timer + 10 GC samples (GC does not vote)
      [1.2, "check"],
      [0.5, "gc"], // GC alone
    ]);
    expect(a.stretches[0]!.kinds).toEqual({ polling: 30, check: 0, gc: 10, other: 0 });
    expect(a.stretches[0]!.top[0]).toBe("exec (file:///x/node_modules/ssh2/lib/client.js) ×30");
    expect(a.busySamples).toBe(57);
    expect(a.kindSamples).toEqual({ polling: 30, check: 12, gc: 15, other: 0 });
  });

  it("a gap of more than 4 intervals ends a stretch (the thread was off the CPU); bridged as an upper bound", () => {
    const samples = [...idle(5), ...run(5, 20), [5, 2_000] as [number, number], ...run(5, 19), ...idle(5)];
    const a = analyzeSlices(profile(samples));
    expect(a.gaps).toBe(1);
    expect(a.longestGapMs).toBe(2);
    expect(a.stretches.map((s) => s.durationMs)).toEqual([2, 2]);
    const bridged = analyzeSlices(profile(samples), { gapFactor: Number.POSITIVE_INFINITY });
    expect(bridged.stretches.map((s) => s.durationMs)).toEqual([5.9]);
  });

  it("only samples in the window count; unmatched stacks are other", () => {
    const samples = [...run(9, 50), ...idle(10), ...run(9, 20), ...idle(10)];
    // Sample i is at 1 000 000 + 100 (i + 1) µs: the window holds the second run only.
    const a = analyzeSlices(profile(samples), { from: 1_000_000 + 100 * 55, to: 1_000_000 + 100 * 90 });
    expect(a.stretches).toHaveLength(1);
    expect(a.stretches[0]!.attribution).toBe("other");
    expect(a.stretches[0]!.samples).toBe(20);
  });

  it("the bundle's module comments name the module of a line", () => {
    const source = [
      "// ../../node_modules/.pnpm/ssh2@1.17.0/node_modules/ssh2/lib/client.js",
      "function exec() {}",
      "// ../../packages/core/src/power-watch.ts",
      "function pollSlice() {}",
      "// src/devices.ts",
      "class Devices {}",
    ].join("\n");
    const moduleOf = bundleModules(source, "apps/haconnd/");
    expect([1, 3, 5].map(moduleOf)).toEqual([
      "node_modules/ssh2/lib/client.js",
      "packages/core/src/power-watch.ts",
      "apps/haconnd/src/devices.ts",
    ]);
  });
});
