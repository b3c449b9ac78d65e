// clilog (manual §7.1 `clilog*`): one line per CLI operation with the time, the user, the
// command, its arguments with secrets masked, and the exit status. Passwords are never
// arguments (they are read from the terminal or stdin), but a value that looks secret is masked
// anyway: any `password=`/`community=`-like key, and every word after `haconnsetup snmp` (the
// community, with or without name=).
import type { CliIo } from "../io.js";
import { logDir } from "../io.js";
import { appendGenerationLine } from "./generation-log.js";

export const CLILOG = { base: "clilog", generations: 4, maxBytes: 1024 * 1024 } as const;
export const MASK = "********";

const SECRET_KEY = /pass|community|secret|token/i;

/** The arguments as logged: secret values replaced, odd characters JSON-quoted. */
export function maskArguments(command: string, argv: readonly string[]): string[] {
  // After `haconnsetup snmp`, every word may be the community, typed with or without name=
  // (a mistyped `snmp private` is refused, but it is logged too): all of them are masked.
  const snmpAt = command === "haconnsetup" ? argv.findIndex((a) => a.toLowerCase() === "snmp") : -1;
  return argv.map((arg, i) => {
    const eq = arg.indexOf("=");
    const key = eq > 0 ? arg.slice(0, eq) : "";
    const afterSnmp = snmpAt >= 0 && i > snmpAt && !arg.startsWith("-");
    const secret = (key !== "" && SECRET_KEY.test(key)) || afterSnmp;
    const shown = secret ? (key !== "" ? `${key}=${MASK}` : MASK) : arg;
    return /^[\w.,:/@%+=*-]+$/.test(shown) ? shown : JSON.stringify(shown);
  });
}

const two = (n: number) => String(n).padStart(2, "0");

/** `[YYYY/MM/DD HH:MM:SS:SSSSSS]` local time, the resetlog's stamp (microseconds from ms). */
export function stamp(date: Date): string {
  const d = `${date.getFullYear()}/${two(date.getMonth() + 1)}/${two(date.getDate())}`;
  const t = `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
  return `[${d} ${t}:${String(date.getMilliseconds() * 1000).padStart(6, "0")}]`;
}

export interface CliLogEntry {
  time: Date;
  user: { uid: number; name: string };
  pid: number;
  command: string;
  argv: readonly string[];
  exitCode: number;
}

export function cliLogLine(e: CliLogEntry): string {
  const args = maskArguments(e.command, e.argv);
  return `${stamp(e.time)} uid=${e.user.uid}(${e.user.name}) pid=${e.pid} exit=${e.exitCode} ${[e.command, ...args].join(" ")}`;
}

/**
 * Appends the line to $HACONN_LOG_DIR/clilog<N>. A missing log directory (the package is not
 * installed) is skipped silently; any other failure is a warning: the command's result stands.
 */
export async function writeCliLog(
  io: CliIo,
  entry: Omit<CliLogEntry, "time" | "user" | "pid">,
): Promise<void> {
  const line = cliLogLine({
    ...entry,
    time: io.now?.() ?? new Date(),
    user: io.user?.() ?? { uid: -1, name: "?" },
    pid: process.pid,
  });
  try {
    await appendGenerationLine({ dir: logDir(io.env), ...CLILOG }, line);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return;
    io.stderr.write(`${entry.command}: warning: clilog not written: ${code ?? String(error)}\n`);
  }
}
