// In netns mode the HA monitors live in the lab's own namespace, so a command that drives them
// (`lab drill`, the registration at the end of `lab up`) runs there: the command starts itself
// again under `ip netns exec <lab namespace>` and passes on its exit status.
import { spawnSync } from "node:child_process";
import type { LabState } from "./state.js";

export const IN_NETNS_ENV = "HACONN_LAB_IN_NETNS";

/** Runs `lab <args>` inside the lab's namespace and returns its exit status; undefined when already there (or loopback). */
export function reenterLabNetns(state: LabState, args: string[]): number | undefined {
  const ns = state.topology?.netns?.lab;
  if (!ns || process.env[IN_NETNS_ENV] === ns) return undefined;
  const script = process.argv[1];
  if (!script) return undefined;
  const r = spawnSync(
    "ip",
    ["netns", "exec", ns, process.execPath, "--enable-source-maps", script, ...args],
    { stdio: "inherit", env: { ...process.env, [IN_NETNS_ENV]: ns } },
  );
  return r.status ?? 1;
}
