// Helpers for scenarios that run the real built programs: haconnsetup to configure (as an
// operator would), haconnd as a process, haconnshow against it. Everything on loopback.

import { connect } from "node:net";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createSocket } from "node:dgram";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type KeyRing, parseKeyFile } from "@haconn/protocol";
import { hamonSimRegisterKey } from "../hamon-sim/key-registry.js";
import { repoRoot } from "../lab/paths.js";

/** The checkout (found upwards, so that the lab's bundle, which reuses this harness, finds it too). */
export const REPO = `${repoRoot()}/`;
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

/** Runs a CLI command from bin/ (password, when given, on standard input; its stderr only in the error). */
export function cli(dirs: LabDirs, command: string, args: string[], input?: string): string {
  const out = execFileSync(join(REPO, "bin", command), args, {
    env: dirs.env,
    stdio: ["pipe", "pipe", "pipe"],
    input: input === undefined ? "" : `${input}\n`,
    encoding: "utf8",
    timeout: 30_000,
  });
  // `haconnsetup resetpath` creates resetpath.key (docs/security.md): the simulated monitors and
  // dump notifiers of this process sign with it from now on, as a real monitor given the key would.
  if (command === "haconnsetup" && args[0] === "resetpath") registerLabResetKey(dirs);
  return out;
}

/** The configuration directory of `dirs` (HACONN_ETC_DIR may point to a shared one). */
export function labEtc(dirs: LabDirs): string {
  return dirs.env.HACONN_ETC_DIR ?? dirs.etc;
}

/** The resetpath.key of `dirs`'s configuration, or undefined when there is none. */
export function labResetKeyFile(dirs: LabDirs): string | undefined {
  const path = join(labEtc(dirs), "resetpath.key");
  return existsSync(path) ? path : undefined;
}

export function labResetKey(dirs: LabDirs): KeyRing | undefined {
  const path = labResetKeyFile(dirs);
  return path ? parseKeyFile(readFileSync(path, "utf8")) : undefined;
}

/**
 * Registers the configuration's resetpath.key for its reset-path address and port, so that
 * HamonSimMonitor and dumpSimSendNotice sign with it (hamon-sim/key-registry.ts). cli() calls
 * it after every `haconnsetup resetpath`; call it again after replacing the key by hand.
 */
export function registerLabResetKey(dirs: LabDirs): KeyRing | undefined {
  const config = join(labEtc(dirs), "haconn.json");
  if (!existsSync(config)) return undefined;
  const rp = (
    JSON.parse(readFileSync(config, "utf8")) as { resetpath?: { addr: string; port: number } | null }
  ).resetpath;
  if (!rp) return undefined;
  const key = labResetKey(dirs);
  hamonSimRegisterKey({ address: rp.addr, port: rp.port }, key);
  return key;
}

export async function freeUdpPort(address = "127.0.0.1"): Promise<number> {
  const s = createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, address, () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export async function freeTcpPort(): Promise<number> {
  const { createServer } = await import("node:net");
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export interface DaemonProcess {
  child: ChildProcess;
  output: string[];
  stop(): Promise<number | null>;
}

/**
 * Runs bin/haconnd expected to refuse its start: resolves with its exit status and everything it
 * printed (SIGKILL after `timeoutMs` if it does not exit, so a start that succeeds shows as null).
 */
export function runDaemonToExit(
  dirs: LabDirs,
  extraEnv: NodeJS.ProcessEnv = {},
  timeoutMs = 20_000,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(join(REPO, "bin", "haconnd"), [], {
      env: { ...dirs.env, HACONN_NODE_NAME: "HACON1", HACONN_KDUMP_PORT: "off", ...extraEnv },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (out += d));
    const killer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(killer);
      resolve({ code, out });
    });
  });
}

/** Starts bin/haconnd and resolves when it printed its ready line. */
export function startDaemon(
  dirs: LabDirs,
  extraEnv: NodeJS.ProcessEnv = {},
  timeoutMs = 20_000,
  /** A command prefix, e.g. ["ip", "netns", "exec", ns] to run it inside a namespace. */
  prefix: string[] = [],
): Promise<DaemonProcess> {
  const argv = [...prefix, join(REPO, "bin", "haconnd")];
  const child = spawn(argv[0]!, argv.slice(1), {
    env: { ...dirs.env, HACONN_NODE_NAME: "HACON1", HACONN_KDUMP_PORT: "off", ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const stop = () =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
      child.once("exit", (code) => resolve(code));
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 5000).unref();
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`haconnd not ready:\n${output.join("")}`)), timeoutMs);
    const onData = (d: Buffer) => {
      output.push(d.toString());
      if (d.toString().includes("haconnd ready")) {
        clearTimeout(timer);
        resolve({ child, output, stop });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (d: Buffer) => output.push(d.toString()));
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
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A daemon's event-log line (pino JSON): the message, its time and the fields logged with it. */
export interface EventLine {
  msg: string;
  time: string | number;
  [field: string]: unknown;
}

/** The daemon's event-log lines (eventlog1, eventlog2, …) whose message contains `text`, oldest file first. */
export function eventLines(dirs: LabDirs, text: string): EventLine[] {
  const files = existsSync(dirs.log) ? readdirSync(dirs.log).filter((n) => /^eventlog\d+$/.test(n)) : [];
  return files
    .sort()
    .flatMap((n) => readFileSync(join(dirs.log, n), "utf8").split("\n"))
    .filter((l) => l.startsWith("{") && l.includes(text))
    .flatMap((l) => {
      try {
        const line = JSON.parse(l) as EventLine;
        return typeof line.msg === "string" && line.msg.includes(text) ? [line] : [];
      } catch {
        return [];
      }
    });
}

export function removeDirs(dirs: LabDirs): void {
  rmSync(dirs.root, { recursive: true, force: true });
}

/** The daemon's dumpState over its control socket (drop and refusal counters, the registry). */
// biome-ignore lint/suspicious/noExplicitAny: a JSON dump the tests read field by field
export function dumpState(dirs: LabDirs): Promise<Record<string, any>> {
  return new Promise((resolve, reject) => {
    const s = connect(join(dirs.run, "haconnd.sock"));
    let buf = "";
    s.setEncoding("utf8");
    s.on("connect", () => s.write(`${JSON.stringify({ v: 1, id: 1, op: "dumpState", args: {} })}\n`));
    s.on("data", (d: string) => {
      buf += d;
      const nl = buf.indexOf("\n");
      if (nl < 0) return;
      s.destroy();
      const r = JSON.parse(buf.slice(0, nl));
      if (r.ok) resolve(r.result);
      else reject(new Error(r.error.message));
    });
    s.on("error", reject);
    setTimeout(() => reject(new Error("dumpState timeout")), 5000).unref();
  });
}
