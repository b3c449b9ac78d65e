// Runs a CLI main() in-process with captured output, a piped (non-TTY) stdin and a given
// configuration directory. Used by this app's tests only.
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { BmcChecker, CliIo } from "../io.js";

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type Main = (argv: readonly string[], io: CliIo) => Promise<number>;

export interface RunOptions {
  stdin?: string;
  etcDir: string;
  /** A fake iLO check, or "real" for the CLI's own (through @haconn/bmc). Default: fails the test. */
  checkBmc?: BmcChecker | "real";
  osRelease?: string;
  /** More environment (HACONN_RUN_DIR, HACONN_LOG_DIR, HACONN_VERSION_FILE). */
  env?: Record<string, string>;
  now?: Date;
}

export async function run(main: Main, argv: readonly string[], options: RunOptions): Promise<RunResult> {
  let stdout = "";
  let stderr = "";
  const stdin = Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]);
  const code = await main(argv, {
    stdin,
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { HACONN_ETC_DIR: options.etcDir, ...options.env },
    checkBmc:
      options.checkBmc === "real"
        ? undefined
        : (options.checkBmc ??
          (async () => {
            throw new Error("test: BMC check not expected");
          })),
    readOsRelease: async () => options.osRelease,
    user: () => ({ uid: 4242, name: "tester" }),
    now: () => options.now ?? new Date(),
  });
  return { code, stdout, stderr };
}

/** Splits a command line of the manual's syntax (no quoting needed in our examples). */
export const words = (line: string) => line.split(/\s+/).filter(Boolean);

export async function tempDir(prefix: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** SHA-256 of a file, or "absent". */
export async function fileHash(path: string): Promise<string> {
  try {
    return createHash("sha256")
      .update(await readFile(path))
      .digest("hex");
  } catch {
    return "absent";
  }
}
