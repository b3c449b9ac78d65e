// Helpers for the takeover bench, copied and adapted from tools/lab/src/scenarios/harness.ts
// (that file computes the repository root from its own place in src/; this one must also work
// bundled into tools/bench/dist/). Everything async: the bench never blocks its event loop
// while it measures.

import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** tools/bench/src/x.ts and tools/bench/dist/x.js are both three levels below the root. */
export const REPO = new URL("../../../", import.meta.url).pathname;

export const BUILT = [
  "apps/haconnd/dist/haconnd.js",
  "apps/cli/dist/haconnsetup.js",
  "apps/cli/dist/haconnshow.js",
].every((f) => existsSync(join(REPO, f)));

export interface LabDirs {
  root: string;
  etc: string;
  log: string;
  run: string;
  env: NodeJS.ProcessEnv;
}

export function labDirs(prefix: string): LabDirs {
  const root = mkdtempSync(join(tmpdir(), `haconn-${prefix}-`));
  const etc = join(root, "etc");
  const log = join(root, "log");
  const run = join(root, "run");
  return {
    root,
    etc,
    log,
    run,
    env: { ...process.env, HACONN_ETC_DIR: etc, HACONN_LOG_DIR: log, HACONN_RUN_DIR: run },
  };
}

export function removeDirs(dirs: LabDirs): void {
  rmSync(dirs.root, { recursive: true, force: true });
}

/** Runs a command (argv, never a shell) and resolves with its standard output. */
export function runCommand(
  file: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { env: options.env ?? process.env, encoding: "utf8", timeout: options.timeoutMs ?? 30_000 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${file} ${args.join(" ")}: ${error.message}\n${stderr}`)) : resolve(stdout),
    );
    child.stdin?.on("error", () => {
      // the command did not read its input
    });
    child.stdin?.end(options.input ?? "");
  });
}

/** Runs a CLI command from bin/ (password, when given, on standard input). */
export function cli(dirs: LabDirs, command: string, args: string[], input?: string): Promise<string> {
  return runCommand(join(REPO, "bin", command), args, {
    env: dirs.env,
    input: input === undefined ? "" : `${input}\n`,
  });
}

export interface DaemonProcess {
  child: ChildProcess;
  output: string[];
  stop(): Promise<void>;
}

/** Starts bin/haconnd (behind `prefix`, e.g. ip netns exec) and resolves on its ready line. */
export function startDaemon(
  dirs: LabDirs,
  extraEnv: NodeJS.ProcessEnv,
  prefix: string[],
  track: (child: ChildProcess) => void,
  timeoutMs = 30_000,
): Promise<DaemonProcess> {
  const argv = [...prefix, join(REPO, "bin", "haconnd")];
  const child = spawn(argv[0]!, argv.slice(1), {
    env: { ...dirs.env, HACONN_KDUMP_PORT: "off", ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  track(child);
  const output: string[] = [];
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 5000).unref();
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`haconnd not ready:\n${output.join("")}`)), timeoutMs);
    child.stdout!.on("data", (d: Buffer) => {
      output.push(d.toString());
      if (d.toString().includes("haconnd ready")) {
        clearTimeout(timer);
        resolve({ child, output, stop });
      }
    });
    child.stderr!.on("data", (d: Buffer) => {
      output.push(d.toString());
      if (output.length > 200) output.splice(0, output.length - 200);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`haconnd exited ${code}:\n${output.join("")}`));
    });
  });
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
  everyMs = 50,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
