// Where things are: the repository (found from this module, source or bundle), the built
// programs the lab runs, and the files inside one lab's state directory.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { LabError } from "./errors.js";

/** The repository root: the nearest folder above this module holding pnpm-workspace.yaml. */
export function repoRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new LabError("LAB_NOT_BUILT", `no pnpm-workspace.yaml above ${from}`);
    dir = parent;
  }
}

export const DEFAULT_LAB_DIR = "/tmp/haconn-lab";

/** `$HACONN_LAB_DIR`, default /tmp/haconn-lab. */
export function labDirFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.HACONN_LAB_DIR?.trim() || DEFAULT_LAB_DIR;
  if (!dir.startsWith("/") || /\s/.test(dir) || dir === "/")
    throw new LabError("LAB_USAGE", `HACONN_LAB_DIR must be an absolute path without spaces: ${dir}`);
  return dir;
}

export interface LabPaths {
  dir: string;
  /** Present in every directory `lab up` created; `lab down` removes only such a directory. */
  marker: string;
  state: string;
  /** TMPDIR of the simulators: every ipmi_sim directory lives here. */
  simsTmp: string;
  simsSpec: string;
  /** Written by the simulator supervisor once every simulator answers. */
  simsInfo: string;
  simsOut: string;
  /** JSON lines written by the supervisor: PDU outlet transitions and ESXi power actions. */
  pduRecords: string;
  esxiRecords: string;
  drillLock: string;
}

export function labPaths(dir: string): LabPaths {
  return {
    dir,
    marker: join(dir, ".haconn-lab"),
    state: join(dir, "state.json"),
    simsTmp: join(dir, "sims"),
    simsSpec: join(dir, "sims-spec.json"),
    simsInfo: join(dir, "sims.json"),
    simsOut: join(dir, "sims.out"),
    pduRecords: join(dir, "records-pdu.jsonl"),
    esxiRecords: join(dir, "records-esxi.jsonl"),
    drillLock: join(dir, "drill.lock"),
  };
}

export interface NodePaths {
  /** Each management server has its own configuration, logs and run directory. */
  etc: string;
  log: string;
  run: string;
  out: string;
  /** The running haconnd's pid (its process group), for the BMC's reset hook. */
  pid: string;
  resetlog: string;
}

export function nodePaths(dir: string, node: string): NodePaths {
  const root = join(dir, "nodes", node);
  return {
    etc: join(root, "etc"),
    log: join(root, "log"),
    run: join(root, "run"),
    out: join(root, "haconnd.out"),
    pid: join(root, "haconnd.pid"),
    resetlog: join(root, "log", "resetlog1"),
  };
}

/** The built programs the lab runs; throws LAB_NOT_BUILT naming what is missing. */
export function programs(root: string = repoRoot()): { simsSupervisor: string; bin: string } {
  const simsSupervisor = join(root, "tools/lab/dist/lab-sims.js");
  const needed = [
    simsSupervisor,
    join(root, "apps/haconnd/dist/haconnd.js"),
    join(root, "apps/cli/dist/haconnsetup.js"),
    join(root, "apps/cli/dist/haconnshow.js"),
  ];
  const missing = needed.filter((f) => !existsSync(f));
  if (missing.length > 0)
    throw new LabError("LAB_NOT_BUILT", `not built: ${missing.join(", ")} (run pnpm exec turbo run build)`);
  return { simsSupervisor, bin: join(root, "bin") };
}
