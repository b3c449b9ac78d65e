import { describe, expect, it } from "vitest";
import { timelinesSvg, niceScale } from "./plot-timelines.js";
import { assembleReport, type BenchOutcome, parseBenchJson, renderMarkdown } from "./report-assemble.js";
import { figure, type MachineInfo, summarize } from "./report-json.js";

const machine: MachineInfo = {
  cpu: "Test CPU @ 2.0GHz",
  cores: 2,
  kernel: "6.1.0-test",
  node: "v24.0.0",
  date: "2026-01-02T03:04:05.000Z",
};

const takeover = {
  bench: "takeover",
  figures: [
    {
      name: "takeover: kill -9 → answers",
      unit: "ms",
      median: 800,
      p99: 950,
      max: 950,
      n: 20,
      goal: "median ≤ 1000 ms",
      pass: true,
      peer: { name: "keepalived | VRRP", median: 3200, p99: 3600 },
    },
  ],
  timelines: [
    { run: 1, label: "haconn takeover", phases: { fenced: 40, "VIP added": 60, "CHECK answered": 800 } },
    { run: 1, label: "keepalived takeover", phases: { "VIP added": 3100, "VIP answers": 3200 } },
  ],
};
const e2e = {
  bench: "e2e",
  figures: [
    { name: "RESET → result vs bare ipmitool", unit: "ms", median: 66, p99: 80, max: 90, n: 30, goal: 60 },
    { name: "no goal", unit: "µs", median: 1.5, p99: 2, max: 3, n: 10 },
  ],
};

const outcome = (name: string, json: unknown, exitCode = 0): BenchOutcome => ({
  name,
  seconds: 12.3,
  exitCode,
  json: JSON.stringify(json),
});

describe("report assembly", () => {
  it("collects every bench's figures with ratio and verdict", () => {
    const r = assembleReport([outcome("takeover", takeover), outcome("e2e", e2e)], machine, false);
    expect(r.figures.map((f) => [f.bench, f.verdict, f.ratio])).toEqual([
      ["takeover", "pass", 0.25],
      ["e2e", "FAIL", undefined], // a bare number goal means median ≤ goal: 66 > 60
      ["e2e", "—", undefined],
    ]);
    expect(r.timelines).toHaveLength(2);
    expect(r.timelines[0]).toMatchObject({ bench: "takeover", label: "haconn takeover" });
    expect(r.benches.map((b) => b.status)).toEqual(["ok", "ok"]);
  });

  it("reports skipped, crashed and malformed benches without losing the others", () => {
    const r = assembleReport(
      [
        outcome("takeover", { bench: "takeover", figures: [], skipped: "needs root" }),
        { name: "bmc", seconds: 1, exitCode: 1, tail: "line 1\nError: ipmi_sim not found\n" },
        { name: "esxi", seconds: 1, exitCode: 0, json: "{not json" },
        outcome("ipdu", { bench: "ipdu", figures: [{ name: "x" }] }),
        outcome("e2e", e2e),
      ],
      machine,
      true,
    );
    expect(r.benches).toEqual([
      { name: "takeover", status: "skipped", seconds: 12.3, reason: "needs root" },
      {
        name: "bmc",
        status: "failed",
        seconds: 1,
        reason: "no JSON written (exit 1): Error: ipmi_sim not found",
      },
      expect.objectContaining({ name: "esxi", status: "failed", reason: expect.stringMatching(/^not JSON/) }),
      expect.objectContaining({ name: "ipdu", status: "failed", reason: expect.stringMatching(/median/) }),
      { name: "e2e", status: "ok", seconds: 12.3 },
    ]);
    expect(r.figures).toHaveLength(2);
  });

  it("renders a Markdown table with the machine, escaped cells and every column", () => {
    const md = renderMarkdown(
      assembleReport([outcome("takeover", takeover), outcome("e2e", e2e)], machine, true),
    );
    expect(md).toContain("Test CPU @ 2.0GHz, 2 cores, Linux 6.1.0-test, Node v24.0.0");
    expect(md).toContain("**Quick run**");
    expect(md).toContain(
      "| takeover | takeover: kill -9 → answers | ms | 20 | 800 | 950 | 950 | median ≤ 1000 ms | pass | keepalived \\| VRRP: 3200 / 3600 | 0.25× |",
    );
    expect(md).toContain(
      "| e2e | RESET → result vs bare ipmitool | ms | 30 | 66 | 80 | 90 | median ≤ 60 | FAIL |  |  |",
    );
    const rows = md.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| bench"));
    for (const row of rows.slice(0, 3)) expect(row.split(/(?<!\\)\|/).length - 2).toBe(11);
  });

  it("refuses a JSON without bench or figures", () => {
    expect(() => parseBenchJson('{"figures": []}')).toThrow(/bench/);
    expect(() => parseBenchJson('{"bench": "x"}')).toThrow(/figures/);
  });
});

describe("figures from samples", () => {
  it("median, nearest-rank p99 and max", () => {
    const samples = Array.from({ length: 200 }, (_, i) => 200 - i); // 1..200, unsorted
    expect(summarize(samples)).toEqual({ median: 100, p99: 198, max: 200, n: 200 });
    expect(figure("f", "ms", [3, 1, 2])).toMatchObject({ median: 2, p99: 3, max: 3, n: 3 });
    expect(summarize([]).n).toBe(0);
  });
});

describe("timelines plot", () => {
  it("draws one dot per takeover run and one marker per phase", () => {
    const runs = (label: string, n: number, base: number) =>
      Array.from({ length: n }, (_, i) => ({ run: i + 1, label, phases: { a: base / 2, b: base + i } }));
    const svg = timelinesSvg([...runs("haconn takeover", 5, 800), ...runs("reset", 3, 60)], {
      title: "t <&>",
      goalMs: 1000,
    });
    expect(svg).toContain("t &lt;&amp;&gt;");
    expect(svg.match(/<title>haconn takeover run/g)).toHaveLength(5);
    // phase panels: 5 takeover rows + 3 reset rows, two phases each
    expect(svg.match(/<title>(a|b): /g)).toHaveLength(16);
    expect(svg).toContain("goal 1000 ms");
    expect(timelinesSvg([], { title: "empty" })).toContain("No timelines");
  });

  it("picks round axis scales", () => {
    expect(niceScale(3600)).toEqual({ top: 4000, step: 1000 });
    expect(niceScale(0.9)).toEqual({ top: 1, step: 0.2 });
  });
});
