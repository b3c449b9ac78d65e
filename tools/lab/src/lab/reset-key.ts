// The lab runs in key mode: `haconnsetup resetpath` created resetpath.key on HACON1 (copied to
// HACON2 with the rest of the configuration); the lab's simulated HA monitors and dump notifiers
// are given the same file, as an operator installs it on every HA monitor (docs/security.md).
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { KeyRing } from "@haconn/protocol";
import { hamonSimReadKeyFile, hamonSimRegisterKey } from "../hamon-sim/index.js";
import { nodePaths } from "./paths.js";

/** HACON1's resetpath.key, or undefined when the lab was configured without one. */
export function labResetKey(dir: string): KeyRing | undefined {
  const path = join(nodePaths(dir, "HACON1").etc, "resetpath.key");
  return existsSync(path) ? hamonSimReadKeyFile(path) : undefined;
}

/** Makes this process's simulated monitors and dump notifiers sign for the lab's reset path. */
export function useLabResetKey(state: { dir: string; resetPath: { addr: string; port: number } }): void {
  hamonSimRegisterKey({ address: state.resetPath.addr, port: state.resetPath.port }, labResetKey(state.dir));
}
