// haconnshow hamonitor (manual §6.6.5): the HA monitor registered on each managed server, then
// the guests of each virtual server, from haconnd's `hamonitor` op. The heading keeps the
// manual's single closing dash.
import type { HamonitorResult, MonitorRow } from "../daemon/results.js";
import { table } from "./table.js";

const COLUMNS = ["#", "name", "address", "status", "IP address", "port", "pair#"];
const dash = (value: unknown) => (typeof value === "string" && value !== "" ? value : "----");

function rows(monitors: readonly MonitorRow[]): string[][] {
  return monitors.map((m, i) => [
    String(i + 1),
    dash(m.name),
    dash(m.address),
    dash(m.status),
    dash(m.ipAddress),
    dash(m.port),
    dash(m.pair),
  ]);
}

export function formatHamonitor(result: HamonitorResult): string {
  const lines = [
    "-- HA monitor status -",
    "",
    "<physical server>",
    ...table(COLUMNS, rows(result.physical ?? [])),
  ];
  lines.push("", "<virtual server>");
  (result.virtual ?? []).forEach((v, i) => {
    lines.push(
      "",
      `No.${i + 1} server name : ${dash(v.server)}`,
      "",
      ...table(COLUMNS, rows(v.guests ?? [])),
    );
  });
  return `${lines.join("\n")}\n`;
}
