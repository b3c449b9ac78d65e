// `lab status`: the lab's own processes, then the real haconnshow status / hamonitor / ipdu
// against its haconnd, as an operator would run them.
import { LabError } from "./errors.js";
import { programs } from "./paths.js";
import { isLabProcess } from "./processes.js";
import { haconnshow } from "./show.js";
import { readState } from "./state.js";

export async function labStatus(options: { dir: string; print: (line: string) => void }): Promise<boolean> {
  const { dir, print } = options;
  const state = readState(dir);
  if (!state) throw new LabError("LAB_NOT_UP", `no lab in ${dir} (run: lab up)`);
  const { bin } = programs();
  print(`lab: ${dir}, mode ${state.mode} (pair mode not yet available), phase ${state.phase}`);
  let healthy = state.phase === "up";
  for (const p of state.processes) {
    const alive = isLabProcess(p.pid, dir);
    healthy &&= alive;
    print(`  ${p.name.padEnd(9)} pid ${String(p.pid).padEnd(8)} ${alive ? "running" : "NOT RUNNING"}`);
  }
  if (state.resetPath)
    print(`  reset path ${state.resetPath.addr}:${state.resetPath.port} (node ${state.node ?? "?"})`);
  for (const args of [["status"], ["hamonitor"], ["ipdu"]]) {
    print("");
    print(`$ haconnshow ${args.join(" ")}`);
    const r = await haconnshow(bin, dir, args);
    for (const line of `${r.stdout}${r.stderr}`.trimEnd().split("\n")) print(line);
    if (r.code !== 0) healthy = false;
  }
  return healthy;
}
