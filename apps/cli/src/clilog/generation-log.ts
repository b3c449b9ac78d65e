// Appends a line to a generation-numbered log (<base>1 .. <base>N), the manual's `clilog*`:
// lines go to the most recently written generation until it reaches its size bound, then the
// next generation is truncated and written, wrapping after N (the idea of
// apps/haconnd/src/logs/generation-file.ts, for one line per short-lived process).
// Each append is a single O_APPEND write, so concurrent commands never interleave within a line.
import { appendFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";

export interface GenerationLogOptions {
  dir: string;
  base: string;
  generations: number;
  maxBytes: number;
}

async function statOrUndefined(path: string) {
  try {
    return await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

export async function appendGenerationLine(options: GenerationLogOptions, line: string): Promise<string> {
  const data = line.endsWith("\n") ? line : `${line}\n`;
  let current = 1;
  let newest = -1;
  let size = 0;
  for (let n = 1; n <= options.generations; n++) {
    const s = await statOrUndefined(join(options.dir, `${options.base}${n}`));
    if (s && s.mtimeMs > newest) {
      newest = s.mtimeMs;
      current = n;
      size = s.size;
    }
  }
  if (size > 0 && size + Buffer.byteLength(data) > options.maxBytes) {
    const next = join(options.dir, `${options.base}${(current % options.generations) + 1}`);
    await writeFile(next, data, { mode: 0o640 });
    return next;
  }
  const path = join(options.dir, `${options.base}${current}`);
  await appendFile(path, data, { mode: 0o640 });
  return path;
}
