// This node's event logs as one tar.gz, for the peer's haconndump (collectLogs over the duplex
// link). Only the regular files of the log directory go in (every log family of manual §7.1);
// dump archives, hidden and temporary files stay out. The log directory holds no secret (the
// CLI log records arguments minus secrets), so nothing else is filtered.

import { execFile } from "node:child_process";
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";

const SKIP = /^(HaConnectorDump\..*\.tar\.gz|\..*|.*\.tmp)$/;
export const LOG_ARCHIVE_MAX_BYTES = 128 * 1024 * 1024;
const TAR_TIMEOUT_MS = 60_000;

export interface LogArchive {
  archive: Buffer;
  files: string[];
}

export class LogArchiveError extends Error {
  constructor(
    readonly code: "LOGS_UNREADABLE" | "LOGS_TOO_LARGE" | "TAR_FAILED",
    message: string,
  ) {
    super(message);
  }
}

export async function archiveLogDir(logDir: string): Promise<LogArchive> {
  let names: string[];
  try {
    names = (await readdir(logDir)).filter((n) => !SKIP.test(n)).sort();
  } catch (error) {
    throw new LogArchiveError("LOGS_UNREADABLE", `cannot read ${logDir}: ${(error as Error).message}`);
  }
  const files: string[] = [];
  let total = 0;
  for (const name of names) {
    const st = await lstat(join(logDir, name)).catch(() => undefined);
    if (!st?.isFile()) continue;
    files.push(name);
    total += st.size;
  }
  if (total > LOG_ARCHIVE_MAX_BYTES)
    throw new LogArchiveError(
      "LOGS_TOO_LARGE",
      `the logs take ${total} bytes (limit ${LOG_ARCHIVE_MAX_BYTES})`,
    );
  // "--" ends the options: a file name can never be read as one. Exit 1 = a log grew while read.
  const list = files.length > 0 ? ["--", ...files] : ["-T", "/dev/null"]; // empty: an empty archive
  const argv = ["-czf", "-", "--warning=no-file-changed", "-C", logDir, ...list];
  const archive = await new Promise<Buffer>((resolve, reject) => {
    execFile(
      "tar",
      argv,
      { encoding: "buffer", maxBuffer: LOG_ARCHIVE_MAX_BYTES + 1024 * 1024, timeout: TAR_TIMEOUT_MS },
      (error, stdout, stderr) => {
        const code = (error as (Error & { code?: unknown }) | null)?.code;
        if (!error || (code === 1 && stdout.length > 0)) resolve(stdout);
        else
          reject(
            new LogArchiveError("TAR_FAILED", `tar failed: ${stderr.toString().trim() || error.message}`),
          );
      },
    );
  });
  return { archive, files };
}
