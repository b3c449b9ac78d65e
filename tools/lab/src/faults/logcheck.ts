// "Logs intact": every line of the reset log parses in one of the manual's formats, every line of
// the event logs is one JSON object, and no line is cut short.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseResetLogLine } from "../lab/resetlog.js";

export interface LogCheck {
  resetLines: number;
  eventLines: number;
  /** Lines that do not parse, with their file. */
  bad: string[];
}

export function checkLogs(logDir: string): LogCheck {
  const out: LogCheck = { resetLines: 0, eventLines: 0, bad: [] };
  if (!existsSync(logDir)) return out;
  for (const name of readdirSync(logDir)) {
    const m = /^(resetlog|eventlog|altlog|errlog|initlog)\d+$/.exec(name);
    if (!m) continue;
    const text = readFileSync(join(logDir, name), "utf8");
    if (text !== "" && !text.endsWith("\n")) out.bad.push(`${name}: last line not terminated`);
    for (const line of text.split("\n").filter((l) => l !== "")) {
      if (m[1] === "resetlog") {
        if (parseResetLogLine(line)) out.resetLines++;
        else out.bad.push(`${name}: ${line}`);
        continue;
      }
      try {
        JSON.parse(line);
        out.eventLines++;
      } catch {
        out.bad.push(`${name}: ${line}`);
      }
    }
  }
  return out;
}

/** The reset-log lines of one system, parsed. */
export function resetLogOf(logDir: string, system: string): string[] {
  const p = join(logDir, "resetlog1");
  if (!existsSync(p)) return [];
  return readFileSync(p, "utf8")
    .split("\n")
    .map(parseResetLogLine)
    .filter((e) => e?.system === system)
    .map((e) => e!.line);
}
