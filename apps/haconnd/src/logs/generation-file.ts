// A log written in generation-numbered files, the manual's `resetlog*`, `eventlog*`: fixed
// files <base>1 .. <base>N used in turn. Lines go to the current generation until it reaches
// its size bound, then the next generation is truncated and written, wrapping after N. So the
// disk use is bounded (N x maxBytes) and the newest lines are in the most recently modified file.
// Writes are synchronous appends: a line is on disk (in the page cache) before the caller goes
// on, so a crash right after a reset step never loses its log line.

import { closeSync, existsSync, fstatSync, openSync, statSync, writeSync } from "node:fs";
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
}

export class GenerationFile {
  private fd: number | undefined;
  private current: number;
  private size = 0;
  private readonly options: Required<GenerationFileOptions>;

  constructor(options: GenerationFileOptions) {
    if (options.generations < 2) throw new RangeError("generations must be at least 2");
    if (options.maxBytes < 1024) throw new RangeError("maxBytes must be at least 1024");
    this.options = { mode: 0o640, ...options };
    this.current = this.newestGeneration();
  }

  /** Path of generation `n` (1-based). */
  path(n: number): string {
    return join(this.options.dir, `${this.options.base}${n}`);
  }

  /** The generation written now. */
  get generation(): number {
    return this.current;
  }

  /** Appends one line (a newline is added). */
  writeLine(line: string): void {
    const data = Buffer.from(line.endsWith("\n") ? line : `${line}\n`, "utf8");
    if (this.fd === undefined) this.open(false);
    if (this.size > 0 && this.size + data.length > this.options.maxBytes) {
      this.current = (this.current % this.options.generations) + 1;
      this.open(true);
    }
    writeSync(this.fd!, data);
    this.size += data.length;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private open(truncate: boolean): void {
    this.close();
    this.fd = openSync(this.path(this.current), truncate ? "w" : "a", this.options.mode);
    this.size = truncate ? 0 : fstatSync(this.fd).size;
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
