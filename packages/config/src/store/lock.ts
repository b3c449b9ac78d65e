// An exclusive lock between processes: a lock file created with O_EXCL that holds the owner's
// pid and a random token. A lock whose owner died is removed, but only under a short-lived guard
// file, so two waiters can never both "clean up" and one delete the other's fresh lock.
import { randomBytes } from "node:crypto";
import { open, readFile, stat, unlink } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { ConfigError } from "../errors-catalog.js";

export interface LockOptions {
  /** Give up after this long, in ms (default 10 000). */
  timeoutMs?: number;
  /** Whether a process id is alive (injectable for tests). */
  isAlive?: (pid: number) => boolean;
}

/** A guard or an owner-less lock older than this is a crash leftover (ms). */
const LEFTOVER_AGE_MS = 10_000;

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function createExclusive(path: string, content: string): Promise<boolean> {
  try {
    const handle = await open(path, "wx", 0o600);
    try {
      await handle.writeFile(content);
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

async function ageMs(path: string): Promise<number | undefined> {
  try {
    return Date.now() - (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}

async function holder(path: string): Promise<{ pid: number | undefined; token: string } | undefined> {
  try {
    const [pid, token] = (await readFile(path, "utf8")).split("\n");
    const n = Number(pid);
    return { pid: Number.isInteger(n) && n > 0 ? n : undefined, token: token ?? "" };
  } catch {
    return undefined;
  }
}

/** Removes the lock if its owner is dead; only ever called while holding the guard. */
async function removeIfStale(lockPath: string, isAlive: (pid: number) => boolean): Promise<void> {
  const guard = `${lockPath}.guard`;
  if (!(await createExclusive(guard, `${process.pid}\n`))) {
    const age = await ageMs(guard);
    if (age !== undefined && age > LEFTOVER_AGE_MS) await unlink(guard).catch(() => undefined);
    return;
  }
  try {
    const owner = await holder(lockPath);
    if (!owner) return;
    const dead =
      owner.pid === undefined ? ((await ageMs(lockPath)) ?? 0) > LEFTOVER_AGE_MS : !isAlive(owner.pid);
    if (dead) await unlink(lockPath).catch(() => undefined);
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}

/** Waits for the lock and returns its release function. */
export async function acquireLock(lockPath: string, options: LockOptions = {}): Promise<() => Promise<void>> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const isAlive = options.isAlive ?? processAlive;
  const token = randomBytes(8).toString("hex");
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    if (await createExclusive(lockPath, `${process.pid}\n${token}\n`)) {
      return async () => {
        const owner = await holder(lockPath);
        if (owner?.token === token) await unlink(lockPath).catch(() => undefined);
      };
    }
    await removeIfStale(lockPath, isAlive);
    if (Date.now() >= deadline) {
      const owner = await holder(lockPath);
      throw new ConfigError(
        "CONFIG_LOCKED",
        `${lockPath} is held by process ${owner?.pid ?? "?"}; another haconnsetup is running ` +
          `(remove the file only if no such process exists)`,
        { details: { lockPath, pid: owner?.pid } },
      );
    }
    await sleep(Math.min(50, 2 + attempt * 2) + Math.random() * 5);
  }
}
