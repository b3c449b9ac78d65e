// haconndump (manual §6.7): every log of this node, the configuration without secrets, haconnd's
// state snapshot and the peer connector's event logs (peer/<node>/, fetched over the duplex
// link) into
// <log dir>/HaConnectorDump.<YYYYMMDDhhmmss>.tar.gz, mode 0600. Whatever is missing is listed
// in MISSING.txt and reported, and the collection still succeeds.
import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, open, readdir, rm, stat, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ConfigStore, HaconnError } from "@haconn/config";
import type { DumpStateResult } from "../daemon/results.js";
import { CliError } from "../errors.js";
import { collectPeerLogs, type PeerLogsOutcome } from "./peer-logs.js";
import { redactSecrets } from "./redact.js";

const execFileAsync = promisify(execFile);

/** The log families of manual §7.1, each expected at least once. */
export const LOG_FAMILIES: readonly { label: string; pattern: RegExp }[] = [
  ...["eventlog", "altlog", "errlog", "clilog", "initlog", "resetlog"].map((base) => ({
    label: `${base}*`,
    pattern: new RegExp(`^${base}\\d+$`),
  })),
  { label: "snaplog*.tgz", pattern: /^snaplog.*\.tgz$/ },
];

const DUMP_NAME = /^HaConnectorDump\..*\.tar\.gz$/;
const TAR_TIMEOUT_MS = 5 * 60_000;

export type StateOutcome = { ok: true; state: unknown } | { ok: false; reason: string };

export interface DumpOptions {
  logDir: string;
  etcDir: string;
  now: Date;
  /** haconnd's dumpState answer, or why there is none. */
  state: () => Promise<StateOutcome>;
  /** The peer connector's logs through haconnd, or why there are none. */
  peerLogs?: () => Promise<PeerLogsOutcome>;
}

export interface DumpReport {
  archive: string;
  /** Expected items not in the archive, each with its reason when known. */
  missing: string[];
  /** Files in the archive, relative to its top directory. */
  files: string[];
}

const two = (n: number) => String(n).padStart(2, "0");

export function dumpTimestamp(d: Date): string {
  return `${d.getFullYear()}${two(d.getMonth() + 1)}${two(d.getDate())}${two(d.getHours())}${two(d.getMinutes())}${two(d.getSeconds())}`;
}

/** Ask haconnd for its snapshot; "not running" and any failure become a reason. */
export async function askState(call: () => Promise<unknown>): Promise<StateOutcome> {
  try {
    return { ok: true, state: await call() };
  } catch (error) {
    if (HaconnError.isInstance(error) && error.code === "NOT_RUNNING") {
      return { ok: false, reason: "haconnd is not running" };
    }
    return { ok: false, reason: `haconnd did not answer: ${(error as Error).message}` };
  }
}

async function collectLogs(logDir: string, into: string, files: string[], missing: string[]): Promise<void> {
  const names = (await readdir(logDir)).filter((n) => !n.startsWith(".") && !DUMP_NAME.test(n)).sort();
  const copied: string[] = [];
  for (const name of names) {
    const from = join(logDir, name);
    try {
      if (!(await stat(from)).isFile()) continue;
      await copyFile(from, join(into, name));
      copied.push(name);
      files.push(`log/${name}`);
    } catch (error) {
      missing.push(`log/${name} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  }
  for (const family of LOG_FAMILIES) {
    if (!copied.some((n) => family.pattern.test(n))) missing.push(family.label);
  }
}

async function collectConfig(
  etcDir: string,
  into: string,
  files: string[],
  missing: string[],
): Promise<void> {
  const store = new ConfigStore(etcDir);
  try {
    if (!(await store.exists())) {
      missing.push(`config/haconn.json (no configuration file in ${etcDir})`);
      return;
    }
    const config = redactSecrets(await store.read());
    await writeFile(join(into, "haconn.json"), `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
    files.push("config/haconn.json");
  } catch (error) {
    missing.push(`config/haconn.json (unreadable: ${(error as Error).message})`);
  }
}

async function collectState(outcome: StateOutcome, root: string, files: string[], missing: string[]) {
  if (!outcome.ok) {
    missing.push(`state.json (${outcome.reason})`);
    return;
  }
  const state = (outcome.state ?? {}) as DumpStateResult;
  await writeFile(join(root, "state.json"), `${JSON.stringify(redactSecrets(state), null, 2)}\n`, {
    mode: 0o600,
  });
  files.push("state.json");
}

export async function collectDump(options: DumpOptions): Promise<DumpReport> {
  const name = `HaConnectorDump.${dumpTimestamp(options.now)}`;
  const archive = join(options.logDir, `${name}.tar.gz`);
  try {
    if (!(await stat(options.logDir)).isDirectory()) throw new Error("not a directory");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new CliError("CLI_DUMP", `cannot use the log directory ${options.logDir}: ${reason}`);
  }
  const outcome = await options.state();
  const peer = options.peerLogs ? await options.peerLogs() : undefined;
  const staging = await mkdtemp(join(tmpdir(), "haconndump-"));
  try {
    const root = join(staging, name);
    await mkdir(join(root, "log"), { recursive: true, mode: 0o700 });
    await mkdir(join(root, "config"), { mode: 0o700 });
    const files: string[] = [];
    const missing: string[] = [];
    await collectState(outcome, root, files, missing);
    if (peer) await collectPeerLogs(peer, root, staging, files, missing);
    await collectLogs(options.logDir, join(root, "log"), files, missing);
    await collectConfig(options.etcDir, join(root, "config"), files, missing);
    if (missing.length > 0) {
      const text = `Not collected (missing or unreadable):\n${missing.map((m) => `  ${m}\n`).join("")}`;
      await writeFile(join(root, "MISSING.txt"), text, { mode: 0o600 });
      files.push("MISSING.txt");
    }
    await writeArchive(archive, staging, name);
    return { archive, missing, files };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** tar into a file created here first, exclusively and 0600, so the archive is never readable by others. */
async function writeArchive(archive: string, staging: string, name: string): Promise<void> {
  try {
    await (await open(archive, "wx", 0o600)).close();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const hint = code === "EEXIST" ? " (a dump was written this second; run it again)" : "";
    throw new CliError("CLI_DUMP", `cannot create ${archive}: ${code ?? String(error)}${hint}`);
  }
  try {
    await execFileAsync("tar", ["-czf", archive, "-C", staging, name], { timeout: TAR_TIMEOUT_MS });
  } catch (error) {
    await unlink(archive).catch(() => undefined);
    const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
    throw new CliError("CLI_DUMP", `tar failed: ${detail}`, { cause: error });
  }
}
