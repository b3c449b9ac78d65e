// `lab status`: the lab's own processes and network, then the real haconnshow against it, as an
// operator would run it: `haconnshow status` on both nodes (each shows both management servers
// with their roles and the duplex link), `haconnshow hamonitor` and `ipdu` on the active.
import { LabError } from "./errors.js";
import { activeNode, pairOk, pairView } from "./nodes.js";
import { LAB_NODES } from "./pair-topology.js";
import { programs } from "./paths.js";
import { isLabProcess } from "./processes.js";
import { haconnshow } from "./show.js";
import { readState } from "./state.js";

export async function labStatus(options: { dir: string; print: (line: string) => void }): Promise<boolean> {
  const { dir, print } = options;
  const state = readState(dir);
  if (!state) throw new LabError("LAB_NOT_UP", `no lab in ${dir} (run: lab up)`);
  const { bin } = programs();
  const t = state.topology;
  print(`lab: ${dir}, mode ${state.mode}, phase ${state.phase}`);
  let healthy = state.phase === "up";
  for (const p of state.processes) {
    const alive = isLabProcess(p.pid, dir);
    healthy &&= alive;
    print(`  ${p.name.padEnd(14)} pid ${String(p.pid).padEnd(8)} ${alive ? "running" : "NOT RUNNING"}`);
  }
  if (t)
    print(
      `  reset path ${t.resetPath.addr}:${t.resetPath.port} (${t.netns ? `virtual IP, namespaces ${t.netns.prefix}-*` : "loopback, bound by the active"}); duplex ${LAB_NODES.map((n) => `${n} ${t.duplex[n].addr}:${t.duplex[n].port}`).join(", ")}`,
    );
  const view = await pairView(dir);
  healthy &&= pairOk(view);
  const active = (await activeNode(dir)) ?? "HACON1";
  const runs: [(typeof LAB_NODES)[number], string[]][] = [
    ...LAB_NODES.map((n) => [n, ["status"]] as [(typeof LAB_NODES)[number], string[]]),
    [active, ["hamonitor"]],
    [active, ["ipdu"]],
  ];
  for (const [node, args] of runs) {
    print("");
    print(`[${node}]$ haconnshow ${args.join(" ")}`);
    const r = await haconnshow(bin, dir, node, args);
    for (const line of `${r.stdout}${r.stderr}`.trimEnd().split("\n")) print(line);
    if (r.code !== 0) healthy = false;
  }
  return healthy;
}
