// The end-to-end bench's plumbing: the built programs of this repository (bin/haconnd,
// bin/haconnsetup), configured and run as an operator would (like tools/lab's scenario harness,
// which cannot be reused here: its repository root is computed from its own source path), the
// reset log read back with its microsecond timestamps, and bare ipmitool runs with exactly the
// argv and environment the bmc driver builds.

import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BmcSettings } from "@haconn/config";
import { CHASSIS_VERB } from "@haconn/bmc";
import {
  connectionArgs,
  ipmitoolEnv,
  resolveIpmitoolOptions,
} from "../../../packages/bmc/src/ipmitool-args.js";

/** tools/bench/{src,dist}/ → the repository root. */
export const REPO = new URL("../../../", import.meta.url).pathname;
export const BUILT = ["apps/haconnd/dist/haconnd.js", "apps/cli/dist/haconnsetup.js"].every((f) =>
  existsSync(join(REPO, f)),
);

export class E2eDirs {
  readonly root = mkdtempSync(join(tmpdir(), "haconn-e2e-bench-"));
  readonly env: NodeJS.ProcessEnv = {
    ...process.env,
    HACONN_ETC_DIR: join(this.root, "etc"),
    HACONN_LOG_DIR: join(this.root, "log"),
    HACONN_RUN_DIR: join(this.root, "run"),
  };

  get resetlog(): string {
    return join(this.root, "log", "resetlog1");
  }

  /** A CLI command from bin/, the secret (if any) on standard input. */
  cli(command: string, args: string[], input?: string): string {
    return execFileSync(join(REPO, "bin", command), args, {
      env: this.env,
      input: input === undefined ? "" : `${input}\n`,
      encoding: "utf8",
      timeout: 30_000,
    });
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

export interface RunningDaemon {
  child: ChildProcess;
  stop(): Promise<void>;
}

export function startHaconnd(dirs: E2eDirs, timeoutMs = 20_000): Promise<RunningDaemon> {
  const child = spawn(join(REPO, "bin", "haconnd"), [], {
    env: { ...dirs.env, HACONN_NODE_NAME: "BENCH1", HACONN_KDUMP_PORT: "off" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 5000).unref();
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`haconnd not ready:\n${output.join("")}`));
    }, timeoutMs);
    child.stdout!.on("data", (d: Buffer) => {
      output.push(d.toString());
      if (d.toString().includes("haconnd ready")) {
        clearTimeout(timer);
        resolve({ child, stop });
      }
    });
    child.stderr!.on("data", (d: Buffer) => output.push(d.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`haconnd exited ${code}:\n${output.join("")}`));
    });
  });
}

/** Epoch ms of a reset-log timestamp `[YYYY/MM/DD HH:MM:SS:SSSSSS]` (local time). */
export function logTime(line: string): number {
  const m = /^\[(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2}):(\d{6})\]/.exec(line);
  if (!m) return Number.NaN;
  const [y, mo, d, h, mi, s, us] = m.slice(1).map(Number) as number[];
  return new Date(y!, mo! - 1, d!, h!, mi!, s!).getTime() + us! / 1000;
}

/** The first reset-log line matching `re` after byte `offset`, polled every `everyMs`. */
export async function waitLogLine(path: string, offset: number, re: RegExp, timeoutMs: number, everyMs = 1) {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const text = existsSync(path) ? readFileSync(path).subarray(offset).toString("utf8") : "";
    const line = text.split("\n").find((l) => re.test(l));
    if (line) return line;
    if (performance.now() > end) throw new Error(`no reset-log line ${re} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** One bare `ipmitool … chassis power <verb>` process, as the driver would run it; its wall time in ms. */
export function bareIpmitool(settings: BmcSettings, action: "nmi" | "reset"): Promise<number> {
  const options = resolveIpmitoolOptions();
  const args = [...connectionArgs(settings, options), "chassis", "power", CHASSIS_VERB[action]];
  const env = ipmitoolEnv(settings, options, process.env.PATH);
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    execFile(options.ipmitoolPath, args, { env, timeout: 15_000 }, (error, stdout) => {
      const ms = performance.now() - t0;
      if (error) reject(new Error(`bare ipmitool ${action} failed: ${error.message}`));
      else if (!/Chassis Power Control/.test(stdout)) reject(new Error(`bare ipmitool ${action}: ${stdout}`));
      else resolve(ms);
    });
  });
}
