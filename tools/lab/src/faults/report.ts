// The fault-injection record: for each fault, what should happen, what was measured, the figures
// and the "nothing lost" checks. Rows are printed as they are made and appended (JSON lines) to
// $HACONN_FAULT_REPORT when set, so a run can be turned into the table of docs/reliability.md
// (`node tools/lab/src/faults/matrix.mjs <file>`).

import { appendFileSync } from "node:fs";

export interface FaultRow {
  fault: string;
  expected: string;
  measured: string;
  /** Figures: name → value (ms, counts). */
  figures: Record<string, number | string>;
  /** Nothing-lost checks: name → passed. */
  checks: Record<string, boolean>;
}

export function faultOk(row: FaultRow): boolean {
  return Object.values(row.checks).every(Boolean);
}

export function formatFaultRow(row: FaultRow): string {
  const figures = Object.entries(row.figures)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");
  const checks = Object.entries(row.checks)
    .map(([k, v]) => `${v ? "✓" : "✗"} ${k}`)
    .join(", ");
  return `FAULT ${faultOk(row) ? "PASS" : "FAIL"} | ${row.fault} | expected: ${row.expected} | measured: ${row.measured} | ${figures} | ${checks}`;
}

export function recordFault(row: FaultRow, file = process.env.HACONN_FAULT_REPORT): FaultRow {
  process.stdout.write(`${formatFaultRow(row)}\n`);
  if (file)
    appendFileSync(file, `${JSON.stringify({ ...row, ok: faultOk(row), at: new Date().toISOString() })}\n`);
  return row;
}

/** The p-th percentile (0..100) of a list of numbers, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}
