// haconnact reload's result (manual §6.8): the heading says completed./failed., then the summary
// per subject, the managed-server and PDU changes, and the update status per management server.
// Columns are separated by " : " and padded to the widest cell. After the manual's sections,
// haconnd's notes (optional, not in the manual's example): why each change was not applied and
// what happened with the standby, so a "failed." says what to fix before running it again.
import type { ReloadSummary } from "../daemon/results.js";

export type ReloadSummaryWithNotes = ReloadSummary & { notes?: string[] };

function colonTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join(" : ");
  return [line(header), ...rows.map(line)];
}

export function formatReloadSummary(summary: ReloadSummaryWithNotes): string {
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
  const notes = Array.isArray(summary.notes) ? summary.notes.filter((n) => typeof n === "string") : [];
  if (notes.length > 0) lines.push("", "- Notes:", ...notes.map((n) => `* ${n}`));
  return `${lines.join("\n")}\n`;
}
