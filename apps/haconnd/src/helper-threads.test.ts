import { getPriority, setPriority } from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import {
  DEFAULT_HELPER_NICE_OFFSET,
  describeScan,
  HelperThreadPriority,
  parseHelperNice,
  planHelperPriorities,
  readThreads,
  threadIds,
} from "./helper-threads.js";

describe("planHelperPriorities", () => {
  const threads = [
    { tid: 100, name: "MainThread", nice: 0 },
    { tid: 101, name: "V8Worker", nice: 0 },
    { tid: 102, name: "libuv-worker", nice: 3 },
    { tid: 103, name: "WorkerThread", nice: 0 },
    { tid: 104, name: "V8Worker", nice: 15 },
    { tid: 105, name: "DelayedTaskSche", nice: 0 },
  ];

  it("lowers only Node's helpers, never the main thread or a Worker, and never raises one", () => {
    expect(planHelperPriorities(threads, 100, 0, 10)).toEqual([
      { tid: 101, name: "V8Worker", from: 0, to: 10 },
      { tid: 102, name: "libuv-worker", from: 3, to: 10 },
      { tid: 105, name: "DelayedTaskSche", from: 0, to: 10 },
    ]);
  });

  it("counts from the main thread's nice value (systemd Nice=) and stops at 19", () => {
    // Nice=-10 in the unit: every thread starts at -10, helpers go to 0.
    const underNice = threads.map((t) => ({ ...t, nice: -10 }));
    expect(planHelperPriorities(underNice, 100, -10, 10).map((c) => [c.tid, c.to])).toEqual([
      [101, 0],
      [102, 0],
      [104, 0],
      [105, 0],
    ]);
    expect(planHelperPriorities(threads, 100, 15, 10).map((c) => [c.tid, c.to])).toEqual([
      [101, 19],
      [102, 19],
      [104, 19],
      [105, 19],
    ]);
  });
});

describe("parseHelperNice", () => {
  it("defaults to 10, takes off and 1-19, refuses anything else", () => {
    expect(parseHelperNice(undefined)).toBe(DEFAULT_HELPER_NICE_OFFSET);
    expect(parseHelperNice("")).toBe(10);
    expect(parseHelperNice("off")).toBeNull();
    expect(parseHelperNice("5")).toBe(5);
    for (const bad of ["0", "20", "-3", "2.5", "high"]) expect(() => parseHelperNice(bad)).toThrow(/1-19/);
  });
});

describe("HelperThreadPriority on this process (Linux /proc)", () => {
  const restore: Array<[number, number]> = [];
  afterEach(() => {
    // Lowering is one-way for an unprivileged process; as root the test puts them back.
    for (const [tid, nice] of restore.splice(0)) {
      try {
        setPriority(tid, nice);
      } catch {
        // not permitted (unprivileged) or the thread ended
      }
    }
  });

  it("lowers every V8 helper thread below the main thread and leaves the main thread alone", () => {
    const before = readThreads(threadIds());
    const v8 = before.filter((t) => t.name === "V8Worker");
    expect(v8.length).toBeGreaterThan(0); // Node always starts V8's platform workers
    const mainNice = getPriority(process.pid);
    for (const t of before) restore.push([t.tid, t.nice]);

    const result = new HelperThreadPriority(5).scan();
    expect(result.failed).toEqual([]);
    const after = new Map(readThreads(threadIds()).map((t) => [t.tid, t]));
    for (const t of v8) expect(after.get(t.tid)?.nice).toBe(Math.max(t.nice, Math.min(19, mainNice + 5)));
    expect(getPriority(process.pid)).toBe(mainNice);
    expect(describeScan(result) ?? "").toMatch(
      result.changed.length > 0 ? /^haconnd: helper threads at nice \d+: .*V8Worker/ : /^$/,
    );
  });

  it("a second scan reads no thread again and changes nothing", () => {
    for (const t of readThreads(threadIds())) restore.push([t.tid, t.nice]);
    const priority = new HelperThreadPriority(5);
    priority.scan();
    const again = priority.scan();
    expect(again).toEqual({ changed: [], failed: [] });
    expect(describeScan(again)).toBeNull();
  });
});
