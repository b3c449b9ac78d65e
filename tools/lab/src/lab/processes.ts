// The lab's processes: started detached (own process group, output to a file), marked with
// HACONN_LAB_MEMBER=<lab dir> in their environment (inherited by everything they start:
// ipmi_sim, its chassis scripts, ipmitool), and stopped by process group. A pid is signalled
// only while its environment still carries this lab's mark, so a recycled pid is never hit.
import { spawn } from "node:child_process";
import { closeSync, openSync, readdirSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

export const LAB_MARK = "HACONN_LAB_MEMBER";

export function markEnv(dir: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, [LAB_MARK]: dir };
}

/** Starts a detached process group; stdout and stderr go to `outFile`. Returns its pid. */
export function spawnDetached(
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; outFile: string; cwd?: string },
): number {
  const out = openSync(options.outFile, "a");
  try {
    const child = spawn(command, args, {
      env: options.env,
      cwd: options.cwd,
      detached: true,
      stdio: ["ignore", out, out],
    });
    child.once("error", () => undefined);
    child.unref();
    if (child.pid === undefined) throw new Error(`cannot start ${command}`);
    return child.pid;
  } finally {
    closeSync(out);
  }
}

/** Does process `pid` carry this lab's mark? (false when it is gone) */
/**
 * Whether a process we just spawned is still running (not exited, not a zombie). Unlike
 * isLabProcess it does not read the mark: between fork and exec the child's environ is still
 * the parent's, so a mark check right after spawning can miss a healthy child.
 */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

export function isLabProcess(pid: number, dir: string): boolean {
  try {
    const environ = readFileSync(`/proc/${pid}/environ`, "latin1").split("\0");
    if (!environ.includes(`${LAB_MARK}=${dir}`)) return false;
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** Every live process carrying this lab's mark. */
export function labProcesses(dir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid !== process.pid && isLabProcess(pid, dir)) found.push(pid);
  }
  return found;
}

function signal(pid: number, sig: NodeJS.Signals, group: boolean): void {
  try {
    process.kill(group ? -pid : pid, sig);
  } catch {
    // gone, or not a group leader
  }
}

/**
 * Stops the lab's process groups: SIGCONT (a frozen BMC), SIGTERM to each recorded leader, then
 * after `graceMs` SIGKILL to whatever of this lab is left (recorded or found by its mark).
 * Returns the pids that had to be killed.
 */
export async function stopLabProcesses(dir: string, leaders: number[], graceMs = 8000): Promise<number[]> {
  for (const pid of labProcesses(dir)) signal(pid, "SIGCONT", false);
  for (const pid of leaders) {
    if (!isLabProcess(pid, dir)) continue;
    signal(pid, "SIGCONT", true);
    signal(pid, "SIGTERM", true);
  }
  const until = Date.now() + graceMs;
  while (Date.now() < until && leaders.some((pid) => isLabProcess(pid, dir))) await sleep(50);
  const killed: number[] = [];
  for (let round = 0; round < 20; round++) {
    const left = labProcesses(dir);
    if (left.length === 0) break;
    for (const pid of left) {
      if (!killed.includes(pid)) killed.push(pid);
      signal(pid, "SIGKILL", true);
      signal(pid, "SIGKILL", false);
    }
    await sleep(100);
  }
  return killed;
}
