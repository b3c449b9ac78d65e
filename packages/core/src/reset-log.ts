// The manual's five reset-log line formats (digest §7.3), verbatim:
// [YYYY/MM/DD HH:MM:SS:SSSSSS] RM-RESET <system> <Target> <dir> <IP addr> <port> <req> <cat> <response>
// [YYYY/MM/DD HH:MM:SS:SSSSSS] SOFTRESET <system> <Target> <dir> <IP addr> <port> <req> <cat>
// [YYYY/MM/DD HH:MM:SS:SSSSSS] HARDRESET <system> <Target> <dir> <IP addr> <port> <req> <cat>
// [YYYY/MM/DD HH:MM:SS:SSSSSS] ATTENTION <system> <Target> <dir> <IP addr> <port> <req> <cat> <state>
// [YYYY/MM/DD HH:MM:SS:SSSSSS] IPDUSD <system> <Target> <dir> <IP addr> <port> <req> <ipdu addr> <con#> <ON|OFF>

import type { LogContext, ResetLogRecord } from "./types.js";

export const NA = "----";

function pad(value: number, width: number): string {
  return String(value).padStart(width, "0");
}

/** `[YYYY/MM/DD HH:MM:SS:SSSSSS]` from epoch milliseconds (fractional part = microseconds). */
export function formatLogTime(epochMs: number, timeZone: "local" | "utc" = "local"): string {
  // One integer count of microseconds, so seconds and microseconds never disagree.
  const totalMicros = Math.round(epochMs * 1000);
  const micros = totalMicros % 1_000_000;
  const d = new Date((totalMicros - micros) / 1000);
  const utc = timeZone === "utc";
  const y = utc ? d.getUTCFullYear() : d.getFullYear();
  const mo = (utc ? d.getUTCMonth() : d.getMonth()) + 1;
  const day = utc ? d.getUTCDate() : d.getDate();
  const h = utc ? d.getUTCHours() : d.getHours();
  const mi = utc ? d.getUTCMinutes() : d.getMinutes();
  const s = utc ? d.getUTCSeconds() : d.getSeconds();
  return `[${pad(y, 4)}/${pad(mo, 2)}/${pad(day, 2)} ${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}:${pad(micros, 6)}]`;
}

function head(ctx: LogContext): string {
  return `${ctx.system} ${ctx.target}`;
}

function peer(ctx: LogContext): string {
  return `${ctx.ip} ${ctx.port} ${ctx.req}`;
}

export function formatResetLog(
  record: ResetLogRecord,
  timeZone: "local" | "utc" = "local",
  /** The formatted timestamp when the caller already has it (many lines at one instant). */
  stamp?: string,
): string {
  const t = stamp ?? formatLogTime(record.at, timeZone);
  const { ctx, dir } = record;
  switch (record.type) {
    case "RM-RESET":
      return `${t} RM-RESET ${head(ctx)} ${dir} ${peer(ctx)} ${ctx.category} ${record.response}`;
    case "SOFTRESET":
    case "HARDRESET":
      return `${t} ${record.type} ${head(ctx)} ${dir} ${peer(ctx)} ${ctx.category}`;
    case "ATTENTION":
      return `${t} ATTENTION ${head(ctx)} ${dir} ${peer(ctx)} ${ctx.category} ${record.state}`;
    case "IPDUSD":
      return `${t} IPDUSD ${head(ctx)} ${dir} ${peer(ctx)} ${record.pduAddr} ${record.outlet} ${record.action}`;
  }
}

/** Context of a test command: every HA-monitor field is `----`. */
export function testLogContext(system: string, target: string = NA): LogContext {
  return { system, target, ip: NA, port: NA, req: NA, category: NA };
}
