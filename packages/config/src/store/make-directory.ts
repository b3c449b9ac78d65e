// `mkdir -p` with a bound. Node's own recursive mkdir loops forever (100 % CPU) when a parent
// exists but refuses children with ENOENT, as /proc does (issue #20 case 18): each level is
// tried once here, and a directory that still cannot be made is an error.
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";

/** Deeper than any real configuration directory; a guard, not a limit anyone meets. */
const MAX_DEPTH = 64;

export async function makeDirectory(dir: string, mode: number, depth = 0): Promise<void> {
  try {
    await mkdir(dir, { mode });
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return;
    const parent = dirname(dir);
    if (code !== "ENOENT" || parent === dir || depth >= MAX_DEPTH) throw error;
  }
  await makeDirectory(dirname(dir), mode, depth + 1);
  // The parent exists now: one more try, whose error (ENOENT under /proc) is the answer.
  try {
    await mkdir(dir, { mode });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
}
