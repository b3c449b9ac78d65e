// A command started ahead and run by one word (issue 19, takeover without a process start): a
// standby knows the commands its takeover will run (`ip addr add …`, `arping -U …`), so it starts
// `sh -c 'read go || exit 97; exec "$@"' haconn-armed <argv>` while standby. The helper waits on
// its stdin; fire() writes "go" and the shell execs the command at once: the daemon forks nothing
// and its event loop pays one pipe write. The helper exits when its stdin closes (the daemon
// ended, even by kill -9), so it never outlives the daemon.
//
// fire() returns undefined when the helper is not armed (never started, died, already used): the
// caller then runs the command the plain way. A helper that dies while armed is re-armed after
// `rearmMs` (a broken one does not spin).

import type { ChildProcess, SpawnOptions } from "node:child_process";

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** child_process.spawn's shape, injected so tests can count the processes started. */
export type SpawnFn = (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess;

/** The exit code of a helper that did not get "go" (its stdin ended). */
export const ARMED_NOT_FIRED = 97;

const SCRIPT = `read go || exit ${ARMED_NOT_FIRED}; exec "$@"`;

/** Runs argv to its end (the plain way): one process start. */
export function runProcess(spawn: SpawnFn, argv: readonly string[], timeoutMs: number): Promise<RunResult> {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
  return collect(child, timeoutMs);
}

function collect(child: ChildProcess, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr?.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    const timer =
      timeoutMs > 0 && Number.isFinite(timeoutMs)
        ? setTimeout(() => {
            child.kill("SIGKILL");
            stderr += `\n(killed after ${timeoutMs} ms)`;
          }, timeoutMs)
        : undefined;
    let done = false;
    const finish = (code: number) => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      resolve({ code, stdout, stderr });
    };
    child.on("error", (error) => {
      stderr += String(error);
      finish(-1);
    });
    // "close": the exit and the end of both output streams (nothing of stderr is lost).
    child.on("close", (code) => finish(typeof code === "number" ? code : -1));
  });
}

export class ArmedCommand {
  #child: ChildProcess | undefined;
  #result: Promise<RunResult> | undefined;
  #rearm: NodeJS.Timeout | undefined;
  #disarmed = true;

  constructor(
    private readonly argv: readonly string[],
    private readonly options: {
      spawn: SpawnFn;
      prefix?: readonly string[];
      timeoutMs: number;
      rearmMs?: number;
    },
  ) {}

  /** Whether a helper waits for "go". */
  get armed(): boolean {
    return this.#child !== undefined;
  }

  /** Starts the helper unless one waits already (a standby calls it; it stays armed until fired or disarmed). */
  arm(): void {
    this.#disarmed = false;
    if (this.#child || this.#rearm) return;
    const full = [...(this.options.prefix ?? []), "sh", "-c", SCRIPT, "haconn-armed", ...this.argv];
    const child = this.options.spawn(full[0]!, full.slice(1), { stdio: ["pipe", "pipe", "pipe"] });
    child.stdin?.on("error", () => undefined); // EPIPE of a helper that died: its exit says the rest
    this.#child = child;
    this.#result = collect(child, 0);
    void this.#result.then(() => {
      if (this.#child !== child) return; // fired or disarmed: not ours to re-arm
      this.#child = undefined; // died while armed: start another one later
      if (this.#disarmed) return;
      this.#rearm = setTimeout(() => {
        this.#rearm = undefined;
        if (!this.#disarmed) this.arm();
      }, this.options.rearmMs ?? 1000);
      this.#rearm.unref();
    });
  }

  /**
   * Runs the armed command: "go" into the waiting helper, its result when it ends (killed after
   * timeoutMs). Undefined when nothing is armed: the caller runs the command the plain way.
   */
  fire(): Promise<RunResult> | undefined {
    const child = this.#child;
    const result = this.#result;
    if (!child || !result || child.exitCode !== null || child.signalCode !== null || !child.stdin?.writable) {
      return undefined;
    }
    this.#child = undefined;
    this.#result = undefined;
    child.stdin.end("go\n");
    const timer = setTimeout(() => child.kill("SIGKILL"), this.options.timeoutMs);
    return result.finally(() => clearTimeout(timer));
  }

  /** Stops the helper (it exits without running the command). */
  disarm(): void {
    this.#disarmed = true;
    if (this.#rearm) clearTimeout(this.#rearm);
    this.#rearm = undefined;
    const child = this.#child;
    this.#child = undefined;
    this.#result = undefined;
    child?.stdin?.end(); // read fails: exit 97, nothing run
  }
}
