// The lab's state file (state.json in the lab directory): what `lab up` started and where, so
// later `lab drill`, `lab status` and `lab down` invocations find it. Written atomically.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { LabError } from "./errors.js";
import type { LabMode, LabNode, PairTopology } from "./pair-topology.js";
import { labPaths } from "./paths.js";
import type { SimsInfo } from "./sims-info.js";
import type { LabClusterName } from "./topology.js";

export type { LabMode };

export interface LabProcessRecord {
  name: string;
  /** Leader of its own process group. */
  pid: number;
}

export interface LabState {
  version: 1;
  dir: string;
  mode: LabMode;
  /** "starting" until every part answered; a crashed `lab up` leaves "starting". */
  phase: "starting" | "up";
  startedAt: string;
  processes: LabProcessRecord[];
  sims?: SimsInfo;
  resetPath?: { addr: string; port: number };
  clusterPorts?: Record<LabClusterName, number>;
  /** The pair's network (and the namespaces in netns mode). */
  topology?: PairTopology;
}

export function newState(dir: string, mode: LabMode): LabState {
  return {
    version: 1,
    dir,
    mode,
    phase: "starting",
    startedAt: new Date().toISOString(),
    processes: [],
  };
}

export function readState(dir: string): LabState | undefined {
  const path = labPaths(dir).state;
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, "utf8")) as LabState;
  } catch {
    return undefined; // a torn file of a crashed run: treated as leftovers
  }
}

export function writeState(state: LabState): void {
  const path = labPaths(state.dir).state;
  writeFileSync(`${path}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

export type UpState = LabState & Required<Pick<LabState, "sims" | "resetPath" | "clusterPorts" | "topology">>;

/** The record name of a node's haconnd in `processes`. */
export const nodeProcessName = (node: LabNode) => `haconnd ${node}`;

/** Records the pid of a process started again (a node restarted by a drill). */
export function setProcess(state: LabState, name: string, pid: number): void {
  const p = state.processes.find((x) => x.name === name);
  if (p) p.pid = pid;
  else state.processes.push({ name, pid });
  writeState(state);
}

/** The state of a lab that is up, or LAB_NOT_UP. */
export function requireUp(dir: string): UpState {
  const state = readState(dir);
  if (state?.phase !== "up" || !state.sims || !state.resetPath || !state.clusterPorts || !state.topology)
    throw new LabError("LAB_NOT_UP", `no lab is up in ${dir} (run: lab up)`);
  return state as UpState;
}
