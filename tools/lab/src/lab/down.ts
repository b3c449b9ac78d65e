// `lab down`: stops every process of the lab (recorded process groups first, then anything
// still carrying the lab's mark) and removes the lab directory. Idempotent; removes a
// directory only when `lab up` created it (it holds the .haconn-lab marker).
import { existsSync, rmSync } from "node:fs";
import { labPaths } from "./paths.js";
import { labProcesses, stopLabProcesses } from "./processes.js";
import { readState } from "./state.js";

export interface DownOptions {
  dir: string;
  print: (line: string) => void;
}

export function isLabDir(dir: string): boolean {
  return existsSync(labPaths(dir).marker);
}

export async function labDown(options: DownOptions): Promise<{ processes: number; killed: number[] }> {
  const { dir, print } = options;
  const state = readState(dir);
  const leaders = state?.processes.map((p) => p.pid) ?? [];
  const before = labProcesses(dir).length;
  const killed = await stopLabProcesses(dir, leaders);
  if (before > 0)
    print(
      `lab: stopped ${before} process${before === 1 ? "" : "es"}${killed.length > 0 ? ` (${killed.length} had to be killed)` : ""}`,
    );
  if (existsSync(dir)) {
    if (isLabDir(dir)) {
      rmSync(dir, { recursive: true, force: true });
      print(`lab: removed ${dir}`);
    } else {
      print(`lab: ${dir} is not a lab directory (no .haconn-lab): left alone`);
    }
  }
  if (before === 0 && !state) print("lab: nothing was running");
  return { processes: before, killed };
}
