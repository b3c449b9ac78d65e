// The runner's report: every bench's JSON (see report-json.ts) → one report object, written
// as report.json, and a Markdown table. Pure functions: no files, no clock.

import type { BenchJson, Figure, MachineInfo, Timeline } from "./report-json.js";

export interface BenchOutcome {
  name: string;
  /** Wall seconds the bench took. */
  seconds: number;
  exitCode: number | null;
  /** The bench's JSON text, if it wrote one. */
  json?: string;
  /** Last lines of its output, kept when it failed. */
  tail?: string;
}

export type BenchStatus = "ok" | "skipped" | "failed";

export interface ReportFigure extends Figure {
  bench: string;
  /** median / peer median, when there is a peer. */
  ratio?: number;
  verdict: "pass" | "FAIL" | "—";
}

export interface Report {
  machine: MachineInfo;
  quick: boolean;
  benches: { name: string; status: BenchStatus; seconds: number; reason?: string }[];
  figures: ReportFigure[];
  timelines: (Timeline & { bench: string })[];
}

export class BenchJsonError extends Error {
  readonly code = "BENCH_JSON_INVALID";
}

const isNum = (v: unknown): v is number => typeof v === "number" || v === null;

/** Checks the shape of one bench's JSON (numbers may be null: JSON has no NaN). */
export function parseBenchJson(text: string): BenchJson {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (error) {
    throw new BenchJsonError(`not JSON: ${(error as Error).message}`);
  }
  const o = v as Partial<BenchJson>;
  if (typeof o !== "object" || o === null || typeof o.bench !== "string" || !Array.isArray(o.figures))
    throw new BenchJsonError("expected {bench: string, figures: [...]}");
  for (const f of o.figures) {
    if (typeof f?.name !== "string" || !isNum(f.median) || !isNum(f.p99))
      throw new BenchJsonError(`figure without name/median/p99 in ${o.bench}`);
  }
  if (o.timelines !== undefined && !Array.isArray(o.timelines))
    throw new BenchJsonError("timelines is not a list");
  return o as BenchJson;
}

function verdict(f: Figure): ReportFigure["verdict"] {
  const pass = f.pass ?? (typeof f.goal === "number" ? f.median <= f.goal : undefined);
  return pass === undefined ? "—" : pass ? "pass" : "FAIL";
}

export function assembleReport(
  outcomes: readonly BenchOutcome[],
  machine: MachineInfo,
  quick: boolean,
): Report {
  const report: Report = { machine, quick, benches: [], figures: [], timelines: [] };
  for (const o of outcomes) {
    let data: BenchJson | undefined;
    let reason: string | undefined;
    if (o.json !== undefined) {
      try {
        data = parseBenchJson(o.json);
      } catch (error) {
        reason = (error as Error).message;
      }
    } else {
      reason = `no JSON written (exit ${o.exitCode ?? "signal"})${o.tail ? `: ${o.tail.trim().split("\n").at(-1)}` : ""}`;
    }
    const status: BenchStatus = !data
      ? "failed"
      : data.skipped
        ? "skipped"
        : o.exitCode === 0
          ? "ok"
          : "failed";
    if (data?.skipped) reason = data.skipped;
    else if (data && o.exitCode !== 0) reason = `exit ${o.exitCode ?? "signal"}`;
    report.benches.push({ name: o.name, status, seconds: o.seconds, ...(reason ? { reason } : {}) });
    for (const f of data?.figures ?? []) {
      const ratio =
        f.peer && Number.isFinite(f.peer.median) && f.peer.median !== 0
          ? f.median / f.peer.median
          : undefined;
      report.figures.push({
        ...f,
        bench: o.name,
        ...(ratio !== undefined ? { ratio: Number(ratio.toFixed(3)) } : {}),
        verdict: verdict(f),
      });
    }
    for (const t of data?.timelines ?? []) report.timelines.push({ ...t, bench: o.name });
  }
  return report;
}

const cell = (v: unknown): string =>
  String(v ?? "")
    .replace(/\|/g, "\\|")
    .replace(/\n/g, " ");
const num = (v: number | null | undefined): string =>
  v === null || v === undefined || !Number.isFinite(v) ? "—" : String(v);

export function renderMarkdown(r: Report): string {
  const m = r.machine;
  const lines = [
    "# haconn benchmark report",
    "",
    `Machine: ${m.cpu}, ${m.cores} cores, Linux ${m.kernel}, Node ${m.node}. Date: ${m.date}.` +
      (r.quick ? " **Quick run** (`--quick`): few samples, figures indicative only." : ""),
    "",
    "| bench | figure | unit | n | median | p99 | max | goal | verdict | peer (median / p99) | ratio |",
    "|---|---|---|--:|--:|--:|--:|---|---|---|--:|",
  ];
  for (const f of r.figures) {
    const peer = f.peer ? `${cell(f.peer.name)}: ${num(f.peer.median)} / ${num(f.peer.p99)}` : "";
    const goal = typeof f.goal === "number" ? `median ≤ ${f.goal}` : cell(f.goal);
    lines.push(
      `| ${cell(f.bench)} | ${cell(f.name)} | ${cell(f.unit)} | ${f.n} | ${num(f.median)} | ${num(f.p99)} | ${num(f.max)} | ${goal} | ${f.verdict} | ${peer} | ${f.ratio === undefined ? "" : `${f.ratio}×`} |`,
    );
  }
  lines.push(
    "",
    "ratio = median / peer median (below 1: faster than the peer). p99 is nearest-rank: with fewer than 100 samples it is the maximum or close to it.",
    "",
    "| bench | status | seconds | note |",
    "|---|---|--:|---|",
    ...r.benches.map(
      (b) => `| ${cell(b.name)} | ${b.status} | ${b.seconds.toFixed(0)} | ${cell(b.reason ?? "")} |`,
    ),
    "",
  );
  return lines.join("\n");
}
