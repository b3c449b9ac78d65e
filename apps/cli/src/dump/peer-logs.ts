// The peer connector's event logs in a dump (manual §6.7: "including the standby's event
// logs"): haconnd fetches them over the duplex link (control op collectPeerLogs → peer command
// collectLogs) as a tar.gz; they land in peer/<node>/ of the archive. Only regular files with
// plain names are taken from the peer's archive (it is unpacked apart, then copied), so a
// damaged or hostile archive can never write outside peer/<node>/ nor plant a link.
import { execFile } from "node:child_process";
import { copyFile, lstat, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { HaconnError } from "@haconn/config";

const execFileAsync = promisify(execFile);
const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const TAR_TIMEOUT_MS = 2 * 60_000;

export type PeerLogsOutcome =
  | { ok: true; peer: string; archive: Buffer }
  /** peer null: no peer is configured (nothing is missing then). */
  | { ok: false; peer: string | null; reason: string };

interface CollectPeerLogsResult {
  peer?: unknown;
  ok?: unknown;
  reason?: unknown;
  archive?: unknown;
}

/** Asks haconnd for the peer's logs; every failure becomes a reason, never an exception. */
export async function askPeerLogs(call: () => Promise<unknown>): Promise<PeerLogsOutcome> {
  let r: CollectPeerLogsResult;
  try {
    r = ((await call()) ?? {}) as CollectPeerLogsResult;
  } catch (error) {
    if (HaconnError.isInstance(error) && error.code === "NOT_RUNNING")
      return {
        ok: false,
        peer: "",
        reason: "haconnd is not running, so the peer's logs could not be fetched",
      };
    return {
      ok: false,
      peer: "",
      reason: `haconnd did not fetch the peer's logs: ${(error as Error).message}`,
    };
  }
  const peer = typeof r.peer === "string" ? r.peer : null;
  if (r.ok === true && peer !== null && typeof r.archive === "string")
    return { ok: true, peer, archive: Buffer.from(r.archive, "base64") };
  return { ok: false, peer, reason: typeof r.reason === "string" ? r.reason : "no logs in haconnd's answer" };
}

/** Puts the peer's logs under <root>/peer/<node>/; records what went in and what is missing. */
export async function collectPeerLogs(
  outcome: PeerLogsOutcome,
  root: string,
  staging: string,
  files: string[],
  missing: string[],
): Promise<void> {
  if (!outcome.ok) {
    if (outcome.peer === null) return; // running alone: there is no peer to collect from
    const where = outcome.peer && NODE_NAME.test(outcome.peer) ? `peer/${outcome.peer}/` : "peer/";
    missing.push(`${where} (${outcome.reason})`);
    return;
  }
  if (!NODE_NAME.test(outcome.peer)) {
    missing.push(`peer/ (the peer's name ${JSON.stringify(outcome.peer)} is not a host name)`);
    return;
  }
  const into = join(root, "peer", outcome.peer);
  const raw = await mkdtemp(join(staging, "peer-raw-"));
  try {
    const tgz = join(raw, "peer.tar.gz");
    await writeFile(tgz, outcome.archive, { mode: 0o600 });
    const unpacked = join(raw, "x");
    await mkdir(unpacked, { mode: 0o700 });
    try {
      await execFileAsync(
        "tar",
        ["-xzf", tgz, "-C", unpacked, "--no-same-owner", "--no-same-permissions", "--no-overwrite-dir"],
        { timeout: TAR_TIMEOUT_MS },
      );
    } catch (error) {
      const detail = (error as { stderr?: string }).stderr?.trim() || (error as Error).message;
      missing.push(`peer/${outcome.peer}/ (the peer's log archive is unreadable: ${detail})`);
      return;
    }
    await mkdir(into, { recursive: true, mode: 0o700 });
    for (const name of (await readdir(unpacked)).sort()) {
      const from = join(unpacked, name);
      if (!FILE_NAME.test(name) || !(await lstat(from)).isFile()) {
        missing.push(`peer/${outcome.peer}/${JSON.stringify(name)} (not a plain log file)`);
        continue;
      }
      await copyFile(from, join(into, name));
      files.push(`peer/${outcome.peer}/${name}`);
    }
  } finally {
    await rm(raw, { recursive: true, force: true });
  }
}
