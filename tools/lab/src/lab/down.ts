// `lab down`: stops every process of the lab (recorded process groups first, then anything
// still carrying the lab's mark), removes its network namespaces (hcl-<id>-*) and the lab
// directory. Idempotent; removes a directory only when `lab up` created it (it holds the
// .haconn-lab marker).
import { existsSync, rmSync } from "node:fs";
import { removeNetns } from "./lab-netns.js";
import { netnsNames } from "./pair-topology.js";
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

export async function labDown(
  options: DownOptions,
): Promise<{ processes: number; killed: number[]; namespaces: number }> {
  const { dir, print } = options;
  const state = readState(dir);
  const leaders = state?.processes.map((p) => p.pid) ?? [];
  const before = labProcesses(dir).length;
  const killed = await stopLabProcesses(dir, leaders);
  if (before > 0)
    print(
      `lab: stopped ${before} process${before === 1 ? "" : "es"}${killed.length > 0 ? ` (${killed.length} had to be killed)` : ""}`,
    );
  // The namespaces go once nothing runs inside them (this lab's prefix, whatever the state says).
  const prefix = state?.topology?.netns?.prefix ?? netnsNames(dir).prefix;
  const namespaces = removeNetns(prefix);
  if (namespaces > 0)
    print(`lab: removed ${namespaces} network namespace${namespaces === 1 ? "" : "s"} (${prefix}-*)`);
  if (existsSync(dir)) {
    if (isLabDir(dir)) {
      rmSync(dir, { recursive: true, force: true });
      print(`lab: removed ${dir}`);
    } else {
      print(`lab: ${dir} is not a lab directory (no .haconn-lab): left alone`);
    }
  }
  if (before === 0 && !state && namespaces === 0) print("lab: nothing was running");
  return { processes: before, killed, namespaces };
}
