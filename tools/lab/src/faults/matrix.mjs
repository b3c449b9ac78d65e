#!/usr/bin/env node
// Prints the fault rows recorded in a HACONN_FAULT_REPORT file as a markdown table.
import { readFileSync } from "node:fs";

const file = process.argv[2];
if (!file) {
  process.stderr.write("usage: matrix.mjs <report.jsonl>\n");
  process.exitCode = 2;
} else {
  const rows = readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  const esc = (s) => String(s).replaceAll("|", "\\|");
  process.stdout.write(
    "| fault | expected | measured | figures | nothing lost |\n| --- | --- | --- | --- | --- |\n",
  );
  for (const r of rows) {
    const figures = Object.entries(r.figures)
      .map(([k, v]) => `${k} ${v}`)
      .join("; ");
    const checks = Object.entries(r.checks)
      .map(([k, v]) => `${v ? "✓" : "✗"} ${k}`)
      .join("; ");
    process.stdout.write(
      `| ${esc(r.fault)} | ${esc(r.expected)} | ${esc(r.measured)} | ${esc(figures)} | ${esc(checks)} |\n`,
    );
  }
}
