// The pair's election term, kept across restarts and reboots in the persistent state directory
// (never /run: systemd's RuntimeDirectory= empties it at every stop) (docs: election rules):
// a node that restarts must never reuse a term it already used, or its peer could take an old
// active's heartbeat for a new one. Read once at start; written atomically (temporary file,
// fsync, rename, fsync of the directory) each time the term grows, before the node acts on it.

import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";

export const TERM_FILE = "pair-term";

export interface TermStoreOptions {
  /** Told when the file cannot be read or written (the pair still runs). */
  warn?: (message: string) => void;
}

export class TermStore {
  readonly path: string;
  private last: number;

  constructor(
    runDir: string,
    private readonly options: TermStoreOptions = {},
  ) {
    this.path = join(runDir, TERM_FILE);
    this.last = this.read();
  }

  /** The term persisted by a previous run (0 when none, or unreadable). */
  get term(): number {
    return this.last;
  }

  private read(): number {
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT")
        this.options.warn?.(`cannot read ${this.path}: ${(error as Error).message}; starting from term 0`);
      return 0;
    }
    const m = /^(\d{1,15})\n?$/.exec(text);
    if (!m) {
      this.options.warn?.(`${this.path} does not hold a term; starting from term 0`);
      return 0;
    }
    return Number(m[1]);
  }

  /** Records the term when it grew; a lower or equal term is ignored. */
  save(term: number): void {
    if (!Number.isSafeInteger(term) || term <= this.last) return;
    const tmp = `${this.path}.${process.pid}.tmp`;
    try {
      const fd = openSync(tmp, "w", 0o600);
      try {
        writeSync(fd, `${term}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.path);
      this.syncDir();
      this.last = term;
    } catch (error) {
      try {
        unlinkSync(tmp);
      } catch {
        // nothing left behind
      }
      this.options.warn?.(`cannot record term ${term} in ${this.path}: ${(error as Error).message}`);
    }
  }

  private syncDir(): void {
    const dir = this.path.slice(0, this.path.lastIndexOf("/")) || "/";
    let fd: number | undefined;
    try {
      fd = openSync(dir, "r");
      fsyncSync(fd);
    } catch {
      // some file systems refuse a directory fsync: the rename is still atomic
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
}

/**
 * The daemon's store in `stateDir` (created 0700 when not there yet). A term left in
 * `legacyDir` (the run directory of older versions) is carried over when it is higher.
 */
export function openTermStore(
  stateDir: string,
  warn: (message: string) => void,
  legacyDir?: string,
): TermStore {
  try {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    warn(`cannot create ${stateDir}: ${(error as Error).message}`);
  }
  const store = new TermStore(stateDir, { warn });
  if (legacyDir !== undefined && legacyDir !== stateDir) {
    const legacy = new TermStore(legacyDir, {}).term;
    if (legacy > store.term) store.save(legacy);
  }
  return store;
}
