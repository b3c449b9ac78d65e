// The contract between every benchmark and the runner (run-all): a bench started with
// `--json <file>` writes one BenchJson there. Figures are summaries of samples (median, p99
// nearest-rank, max); a peer figure is the same quantity for the tool we compare against,
// measured in the same run. Timelines: one per run, each phase as milliseconds since the
// run's start (offsets, in the order the phases happened), so a plot can draw the spread.

import { writeFileSync } from "node:fs";
import { cpus, release } from "node:os";

export interface PeerFigure {
  name: string;
  median: number;
  p99: number;
  max?: number;
  n?: number;
}

export interface Figure {
  name: string;
  unit: string;
  median: number;
  p99: number;
  max: number;
  n: number;
  /** Shown as written, e.g. "median ≤ 1000 ms"; a bare number means "median ≤ goal". */
  goal?: string | number;
  pass?: boolean;
  peer?: PeerFigure;
}

export interface Timeline {
  run: number;
  /** Groups runs in the plot, e.g. "haconn takeover", "keepalived takeover", "reset". */
  label: string;
  /** Phase → milliseconds since the run's start. */
  phases: Record<string, number>;
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  kernel: string;
  node: string;
  date: string;
}

export interface BenchJson {
  bench: string;
  machine?: MachineInfo;
  figures: Figure[];
  timelines?: Timeline[];
  /** Set when the bench could not run here (e.g. no network namespaces): why. */
  skipped?: string;
}

export interface Summary {
  median: number;
  p99: number;
  max: number;
  n: number;
}

/** Nearest-rank quantile of sorted samples (q in 0..1). */
function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function summarize(samples: readonly number[]): Summary {
  const s = [...samples].sort((a, b) => a - b);
  return { median: quantile(s, 0.5), p99: quantile(s, 0.99), max: s.at(-1) ?? Number.NaN, n: s.length };
}

/** A figure from raw samples, rounded to a precision that suits the unit. */
export function figure(
  name: string,
  unit: string,
  samples: readonly number[],
  extra: Pick<Figure, "goal" | "pass" | "peer"> = {},
): Figure {
  const s = summarize(samples);
  return { name, unit, median: round(s.median), p99: round(s.p99), max: round(s.max), n: s.n, ...extra };
}

export function peer(name: string, samples: readonly number[]): PeerFigure {
  const s = summarize(samples);
  return { name, median: round(s.median), p99: round(s.p99), max: round(s.max), n: s.n };
}

/** Three significant digits at least, never more than three decimals. */
export function round(v: number): number {
  if (!Number.isFinite(v)) return v;
  const a = Math.abs(v);
  const d = a >= 100 ? 1 : a >= 1 ? 2 : 3;
  return Number(v.toFixed(d));
}

export function machineInfo(now = new Date()): MachineInfo {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? "unknown",
    cores: list.length,
    kernel: release(),
    node: process.version,
    date: now.toISOString(),
  };
}

/** The value after `--json`, if any. */
export function jsonArg(argv: readonly string[] = process.argv): string | undefined {
  const i = argv.indexOf("--json");
  return i >= 0 ? argv[i + 1] : undefined;
}

export function quickArg(argv: readonly string[] = process.argv): boolean {
  return argv.includes("--quick");
}

/** Writes the bench's JSON when `--json <file>` was given; does nothing otherwise. */
export function writeBenchJson(
  data: Omit<BenchJson, "machine">,
  argv: readonly string[] = process.argv,
): void {
  const file = jsonArg(argv);
  if (!file) return;
  const out: BenchJson = { ...data, machine: machineInfo() };
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
}
