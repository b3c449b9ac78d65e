// A log written in generation-numbered files, the manual's `resetlog*`, `eventlog*`: fixed
// files <base>1 .. <base>N used in turn. Lines go to the current generation until it reaches
// its size bound, then the next generation is truncated and written, wrapping after N. So the
// disk use is bounded (N x maxBytes) and the newest lines are in the most recently modified file.
// Writes are synchronous appends: a line is on disk (in the page cache) before the caller goes
// on, so a crash right after a reset step never loses its log line.
//
// A log that cannot be written (disk full, I/O error) never stops the caller: writeLine does not
// throw. The line is counted as lost, a partly written line is cut off again (so every line in
// the file stays whole and parsable), the first failure of an episode is reported through
// onError and the first success after it through onRecover (with the number of lines lost).

import { closeSync, existsSync, fstatSync, ftruncateSync, openSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";

export interface GenerationFileOptions {
  dir: string;
  /** File name without the generation number, e.g. "resetlog". */
  base: string;
  /** Number of generations kept (>= 2). */
  generations: number;
  /** Size bound of one generation in bytes. */
  maxBytes: number;
  /** File mode for new files. */
  mode?: number;
  /** A write failed after writes succeeded (once per episode of failures). */
  onError?(error: Error, file: string): void;
  /** A write succeeded after failures; `lost` lines were not written in between. */
  onRecover?(lost: number, file: string): void;
  /**
   * Write lines on the next turn of the event loop (setImmediate) instead of at once, in the
   * same order. The reset log uses it so that the datagrams the engine sends in the same step
   * (dgram sends after a lookup on process.nextTick) leave before the disk writes: a DUMP notice's ATTENTION to 15 cluster members is not held up by
   * 16 synchronous appends. The line's content (its timestamp) is fixed when it is handed in.
   */
  deferred?: boolean;
}

export interface GenerationFileHealth {
  /** Lines not written since the file was opened. */
  lostLines: number;
  /** The last write failed. */
  failing: boolean;
  lastError: string | null;
}

/** Deferred files with lines not yet written: flushed if the process exits first (even on a crash). */
const withPendingLines = new Set<GenerationFile>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const file of withPendingLines) file.flush();
  });
}

export class GenerationFile {
  private fd: number | undefined;
  private current: number;
  private size = 0;
  private readonly options: GenerationFileOptions & { mode: number };
  private lost = 0;
  private lostInEpisode = 0;
  private failing = false;
  private lastError: string | null = null;
  private pending: string[] = [];
  private flushScheduled = false;

  constructor(options: GenerationFileOptions) {
    if (options.generations < 2) throw new RangeError("generations must be at least 2");
    if (options.maxBytes < 1024) throw new RangeError("maxBytes must be at least 1024");
    this.options = { mode: 0o640, ...options };
    if (options.deferred) installExitHook();
    this.current = this.newestGeneration();
  }

  get health(): GenerationFileHealth {
    this.flush();
    return { lostLines: this.lost, failing: this.failing, lastError: this.lastError };
  }

  /** Path of generation `n` (1-based). */
  path(n: number): string {
    return join(this.options.dir, `${this.options.base}${n}`);
  }

  /** The generation written now. */
  get generation(): number {
    return this.current;
  }

  /** Appends one line (a newline is added). Never throws: see the header. */
  writeLine(line: string): void {
    if (!this.options.deferred) {
      this.writeNow(line);
      return;
    }
    this.pending.push(line);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    withPendingLines.add(this);
    setImmediate(() => this.flush());
  }

  /** Writes the deferred lines now (also done by close()). */
  flush(): void {
    this.flushScheduled = false;
    withPendingLines.delete(this);
    if (this.pending.length === 0) return;
    const lines = this.pending;
    this.pending = [];
    for (const line of lines) this.writeNow(line);
  }

  private writeNow(line: string): void {
    const data = Buffer.from(line.endsWith("\n") ? line : `${line}\n`, "utf8");
    try {
      this.append(data);
    } catch (error) {
      this.failed(error);
      return;
    }
    if (this.failing) this.recovered();
  }

  private append(data: Buffer): void {
    if (this.fd === undefined) this.open(false);
    if (this.size > 0 && this.size + data.length > this.options.maxBytes) {
      this.current = (this.current % this.options.generations) + 1;
      this.open(true);
    }
    let written = 0;
    try {
      // Positional write at the known end: after a cut-off partial line the next line starts
      // exactly there (O_APPEND files append at the end anyway).
      written = writeSync(this.fd!, data, 0, data.length, this.size);
    } catch (error) {
      this.cutBack();
      throw error;
    }
    if (written < data.length) {
      this.cutBack();
      throw Object.assign(new Error(`short write (${written} of ${data.length} bytes): no space left`), {
        code: "ENOSPC",
      });
    }
    this.size += data.length;
  }

  /** Removes a partly written line so the file ends with a whole line. */
  private cutBack(): void {
    try {
      if (this.fd !== undefined) ftruncateSync(this.fd, this.size);
    } catch {
      // the size is re-read when the file is opened again
      this.closeFd();
    }
  }

  private failed(error: unknown): void {
    this.lost += 1;
    this.lostInEpisode += 1;
    const e = error instanceof Error ? error : new Error(String(error));
    this.lastError = (e as NodeJS.ErrnoException).code ?? e.message;
    if (this.failing) return;
    this.failing = true;
    try {
      this.options.onError?.(e, this.path(this.current));
    } catch {
      // a reporter must not turn a logging failure into a fatal one
    }
  }

  private recovered(): void {
    const lost = this.lostInEpisode;
    this.failing = false;
    this.lostInEpisode = 0;
    try {
      this.options.onRecover?.(lost, this.path(this.current));
    } catch {
      // see failed()
    }
  }

  close(): void {
    this.flush();
    this.closeFd();
  }

  private closeFd(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private open(truncate: boolean): void {
    this.closeFd();
    const fd = openSync(this.path(this.current), truncate ? "w" : "a", this.options.mode);
    this.fd = fd;
    this.size = truncate ? 0 : fstatSync(fd).size;
  }

  /** The generation to continue after a restart: the most recently modified one. */
  private newestGeneration(): number {
    let best = 1;
    let bestTime = -1;
    for (let n = 1; n <= this.options.generations; n++) {
      const p = this.path(n);
      if (!existsSync(p)) continue;
      const t = statSync(p).mtimeMs;
      if (t > bestTime) {
        best = n;
        bestTime = t;
      }
    }
    return best;
  }
}
