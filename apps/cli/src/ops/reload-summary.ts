// haconnact reload's result (manual §6.8): the heading says completed./failed., then the summary
// per subject, the managed-server and PDU changes, and the update status per management server.
// Columns are separated by " : " and padded to the widest cell.
import type { ReloadSummary } from "../daemon/results.js";

function colonTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join(" : ");
  return [line(header), ...rows.map(line)];
}

export function formatReloadSummary(summary: ReloadSummary): string {
  const lines = [
    `-- HA monitor connector reload : ${summary.completed ? "completed." : "failed."} --`,
    "",
    "- Summary",
    ...colonTable(
      ["<Subject>", "<Success/Total>", "<Result>"],
      (summary.subjects ?? []).map((s) => [s.subject, `${s.success} / ${s.total}`, s.result]),
    ),
    "",
    "- Physical Server Configuration Change:",
    ...colonTable(
      ["<SystemName>", "<Operation>", "<Result>"],
      (summary.pservers ?? []).map((p) => [p.name, p.operation, p.result]),
    ),
    "",
    "- iPDU Configuration Change:",
    ...colonTable(
      ["<IP Address>", "<Operation>", "<Result>"],
      (summary.pdus ?? []).map((p) => [p.addr, p.operation, p.result]),
    ),
    "",
    "HA Connector Service Configuration Update Status",
    ...colonTable(
      ["<Management Server System Name>", "<Result>"],
      (summary.mservers ?? []).map((m) => [m.name, m.result]),
    ),
  ];
  return `${lines.join("\n")}\n`;
}
