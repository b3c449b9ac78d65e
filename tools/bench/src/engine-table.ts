// The printed form of a bench's figures: one row per figure with median, p99, max, n, the goal
// and PASS / MISS (or "-" for a figure without a verdict). Shared by engine and e2e benches.

import type { Figure } from "./report-json.js";

export type Row = Pick<Figure, "name" | "unit" | "median" | "p99" | "max" | "n" | "goal" | "pass" | "peer">;

function cell(v: number, unit: string): string {
  return Number.isFinite(v) ? `${v} ${unit}` : "-";
}

export function printTable(rows: readonly Row[]): void {
  const table = rows.map((r) => [
    r.name,
    cell(r.median, r.unit),
    cell(r.p99, r.unit),
    cell(r.max, r.unit),
    String(r.n),
    r.goal === undefined ? "" : String(r.goal),
    r.pass === undefined ? "-" : r.pass ? "PASS" : "MISS",
  ]);
  const head = ["figure", "median", "p99", "max", "n", "goal", "verdict"];
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  console.log(line(head));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of table) console.log(line(r));
  for (const r of rows) {
    if (r.peer) {
      console.log(
        `  ${r.name}: peer "${r.peer.name}" median ${r.peer.median} ${r.unit}, p99 ${r.peer.p99} ${r.unit}`,
      );
    }
  }
}
