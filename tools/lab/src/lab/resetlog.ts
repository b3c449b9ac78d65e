// Reads the connector's reset log ($HACONN_LOG_DIR/resetlog1, the manual's five line formats)
// back into timed records for a drill's timeline.
import { existsSync, readFileSync } from "node:fs";

export interface ResetLogEntry {
  /** Epoch milliseconds (the line's local time, microseconds kept as a fraction). */
  at: number;
  type: "RM-RESET" | "SOFTRESET" | "HARDRESET" | "ATTENTION" | "IPDUSD";
  system: string;
  target: string;
  dir: "SEND" | "RECV";
  /** The fields after the direction, as written. */
  rest: string[];
  line: string;
}

const LINE =
  /^\[(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2}):(\d{6})\] (RM-RESET|SOFTRESET|HARDRESET|ATTENTION|IPDUSD) (\S+) (\S+) (SEND|RECV)(.*)$/;

export function parseResetLogLine(line: string): ResetLogEntry | undefined {
  const m = LINE.exec(line.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, us, type, system, target, dir, rest] = m;
  const at = new Date(+y!, +mo! - 1, +d!, +h!, +mi!, +s!).getTime() + Number(us) / 1000;
  return {
    at,
    type: type as ResetLogEntry["type"],
    system: system!,
    target: target!,
    dir: dir as ResetLogEntry["dir"],
    rest: rest!
      .trim()
      .split(/\s+/)
      .filter((x) => x !== ""),
    line: line.trim(),
  };
}

/** Entries of `path` for `system` written at or after `since` (epoch ms). */
export function readResetLog(path: string, since: number, system?: string): ResetLogEntry[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .map(parseResetLogLine)
    .filter(
      (e): e is ResetLogEntry => e !== undefined && e.at >= since - 1 && (!system || e.system === system),
    );
}
