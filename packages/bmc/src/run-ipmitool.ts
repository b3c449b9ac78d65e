// One ipmitool process with a deadline. It runs in its own process group (detached) and the
// whole group is SIGKILLed at the deadline or on abort, so a hung ipmitool is never left behind.
import { execa } from "execa";

export interface RunRequest {
  file: string;
  args: readonly string[];
  env: Readonly<Record<string, string>>;
  deadlineMs: number;
  signal?: AbortSignal | undefined;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number | undefined;
  /** Why the process was killed by us, if it was. */
  killed: "deadline" | "aborted" | undefined;
  /** The process could not be started at all (e.g. ipmitool not installed). */
  spawnError: Error | undefined;
  durationMs: number;
}

/** Kills a detached child's whole process group; a group already gone is fine. */
export function killProcessGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // ESRCH: already exited.
  }
}

export async function runIpmitool(request: RunRequest): Promise<RunResult> {
  const started = performance.now();
  let killed: RunResult["killed"];
  const child = execa(request.file, [...request.args], {
    env: request.env,
    extendEnv: false,
    detached: true,
    cleanup: false,
    reject: false,
    stdin: "ignore",
    encoding: "utf8",
    stripFinalNewline: false,
  });
  const pid = child.pid;
  const stop = (why: "deadline" | "aborted") => {
    if (killed !== undefined) return;
    killed = why;
    killProcessGroup(pid);
  };
  const timer = setTimeout(() => stop("deadline"), request.deadlineMs);
  const onAbort = () => stop("aborted");
  if (request.signal?.aborted) onAbort();
  request.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const result = await child;
    const spawnError =
      pid === undefined
        ? result.cause instanceof Error
          ? result.cause
          : new Error(result.message)
        : undefined;
    return {
      stdout: typeof result.stdout === "string" ? result.stdout : "",
      stderr: typeof result.stderr === "string" ? result.stderr : "",
      exitCode: result.exitCode,
      killed,
      spawnError,
      durationMs: performance.now() - started,
    };
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener("abort", onAbort);
  }
}
