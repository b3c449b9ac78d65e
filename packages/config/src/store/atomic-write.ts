// Atomic file replacement: write a temp file in the same directory, fsync it, rename it over
// the target, fsync the directory. A crash leaves either the old or the new file, never half.
import { randomBytes } from "node:crypto";
import { link, open, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A file's owner: the configuration directory's, so that the daemon's user owns what root writes. */
export interface FileOwner {
  uid: number;
  gid: number;
}

/**
 * The owner files written into `dir` should get: `dir`'s own owner when this process is root
 * and `dir` belongs to someone else (the packaged daemon's user `haconn`), else undefined (keep
 * the writer's). Files the CLI writes as root stay readable by the daemon that runs as `haconn`.
 */
export async function directoryOwner(dir: string): Promise<FileOwner | undefined> {
  if (process.geteuid?.() !== 0) return undefined;
  const st = await stat(dir);
  return st.uid === 0 ? undefined : { uid: st.uid, gid: st.gid };
}

/**
 * Replaces `path` with `data` atomically; the file gets `mode` (0600 by default: it holds
 * secrets) and, when given, `owner` (set before the rename: never visible with another owner).
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  mode = 0o600,
  owner?: FileOwner,
): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  const handle = await open(temp, "wx", mode);
  try {
    try {
      await handle.writeFile(data);
      await handle.chmod(mode); // the umask may have narrowed or widened `mode` at creation
      if (owner) await handle.chown(owner.uid, owner.gid);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await fsyncDirectory(dir);
}

/**
 * Creates `path` with `data` atomically, only if it does not exist yet (never overwrites):
 * written to a temporary file, then hard-linked to `path` (link fails with EEXIST when another
 * writer got there first). Resolves true when created, false when `path` already existed.
 */
export async function createFileAtomic(
  path: string,
  data: string | Uint8Array,
  mode = 0o600,
  owner?: FileOwner,
): Promise<boolean> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  const handle = await open(temp, "wx", mode);
  try {
    try {
      await handle.writeFile(data);
      await handle.chmod(mode);
      if (owner) await handle.chown(owner.uid, owner.gid);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(temp, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw error;
    }
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  await fsyncDirectory(dir);
  return true;
}
