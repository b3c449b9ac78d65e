// A persistent `ipmitool shell` per BMC, for polling: one RMCP+ session carries every status
// request instead of one process and one session per call (measured ~30 ms → ~0.2 ms of
// protocol per request, see README.md).
//
// Framing: after each command we send a sentinel line, `chassis power haconn-end-<n>`, which
// ipmitool refuses locally (no network) with "Invalid chassis power command: haconn-end-<n>"
// on stderr, after echoing it behind its prompt on stdout. The command's answer is complete
// when both streams show their sentinel, so stdout and stderr are attributed to the right
// command although they arrive through two pipes.
//
// Safety: `ipmitool shell` spins on CPU when its input ends without `quit`. It therefore reads
// from a guard process, `sh -c "cat; printf 'quit\n'"` (a constant script, no data in it),
// that we write to: when our end of the guard's pipe closes for any reason, even our own
// death, ipmitool gets `quit` and exits, closing its BMC session. ipmitool runs in its own
// process group, SIGKILLed at a deadline; the guard is killed with it.
import { type ChildProcess, type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import type { BmcAction, IpmitoolOutcome } from "./parse-output.js";
import { CHASSIS_VERB } from "./parse-output.js";
import { killProcessGroup, type RunResult } from "./run-ipmitool.js";

const GUARD = "cat; printf 'quit\\n'";
const PROMPT = "ipmitool> ";
const SENTINEL = "haconn-end-";

export interface SessionSpawn {
  file: string;
  /** Connection arguments (without `shell`). */
  args: readonly string[];
  env: Readonly<Record<string, string>>;
  /** Close the session after this long without a command (BMC sessions expire when idle). */
  idleMs: number;
}

interface Live {
  child: ChildProcess;
  guard: ChildProcessWithoutNullStreams;
  stdout: string;
  stderr: string;
  exited: Promise<number | undefined>;
  exitCode: number | undefined | null;
  /** The first prompt was seen: the RMCP+ session is established. */
  prompted: boolean;
  wake: (() => void) | undefined;
}

export class IpmitoolSession {
  readonly #spawn: SessionSpawn;
  #live: Live | undefined;
  #seq = 0;
  #queue: Promise<unknown> = Promise.resolve();
  #idleTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(spawnOptions: SessionSpawn) {
    this.#spawn = spawnOptions;
  }

  /** Process group id of the running shell, if any (for tests and diagnostics). */
  get pid(): number | undefined {
    return this.#live?.child.pid;
  }

  /** Runs one `chassis power <verb>` in the session. Calls are serialized. */
  run(action: BmcAction, deadlineMs: number, signal?: AbortSignal): Promise<RunResult> {
    const next = this.#queue.then(() => this.#runNow(action, deadlineMs, signal));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /** True while a shell is running and has shown its prompt (a session with the BMC is open). */
  get ready(): boolean {
    const live = this.#live;
    return live !== undefined && live.exitCode === null && live.prompted;
  }

  /**
   * Opens the session now (starts the shell and waits for its prompt) without running a
   * command; resolves whether the session is up. Serialized with run().
   */
  open(deadlineMs: number, signal?: AbortSignal): Promise<boolean> {
    const next = this.#queue.then(async () => {
      if (this.#closed) return false;
      const up = await this.#ensureLive(performance.now() + deadlineMs, signal);
      if (up.why === "ok") {
        this.#armIdle();
        return true;
      }
      if (this.#live === up.live) this.#live = undefined;
      kill(up.live);
      return false;
    });
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /** Kills the running shell; the next call starts a fresh one. */
  discard(): void {
    const live = this.#live;
    this.#live = undefined;
    if (live) kill(live);
  }

  /** Ends the session (`quit`, then SIGKILL after 1 s). Safe to call twice. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#idleTimer);
    await this.#queue;
    await this.#quit();
  }

  async #quit(): Promise<void> {
    const live = this.#live;
    this.#live = undefined;
    if (!live) return;
    live.guard.stdin.end("quit\n");
    const timer = setTimeout(() => kill(live), 1000);
    await live.exited;
    clearTimeout(timer);
    kill(live);
  }

  async #runNow(action: BmcAction, deadlineMs: number, signal?: AbortSignal): Promise<RunResult> {
    if (this.#closed) throw new Error("IpmitoolSession is closed");
    clearTimeout(this.#idleTimer);
    const started = performance.now();
    const deadline = started + deadlineMs;
    let killed: RunResult["killed"];
    const result = (outcome: IpmitoolOutcome, spawnError?: Error): RunResult => ({
      ...outcome,
      killed,
      spawnError,
      durationMs: performance.now() - started,
    });

    const up = await this.#ensureLive(deadline, signal);
    if (up.why !== "ok") {
      killed = up.why === "exited" ? undefined : up.why;
      return this.#fail(up.live, result);
    }
    const live = up.live;

    const n = ++this.#seq;
    const marker = `chassis power ${SENTINEL}${n}`;
    const stderrMarker = `Invalid chassis power command: ${SENTINEL}${n}\n`;
    live.guard.stdin.write(`chassis power ${CHASSIS_VERB[action]}\n${marker}\n`);
    const current = live;
    const done = await this.#waitFor(
      current,
      deadline,
      signal,
      () => current.stdout.includes(`${PROMPT}${marker}\n`) && current.stderr.includes(stderrMarker),
    );
    if (done !== "ok") {
      killed = done === "exited" ? undefined : done;
      return this.#fail(current, result);
    }
    const outEnd = current.stdout.indexOf(`${PROMPT}${marker}\n`);
    const errEnd = current.stderr.indexOf(stderrMarker);
    const stdout = stripEchoes(current.stdout.slice(0, outEnd), CHASSIS_VERB[action]);
    const stderr = current.stderr.slice(0, errEnd);
    current.stdout = current.stdout.slice(outEnd + PROMPT.length + marker.length + 1);
    current.stderr = current.stderr.slice(errEnd + stderrMarker.length);
    this.#armIdle();
    return result({ stdout, stderr, exitCode: undefined });
  }

  /** The running shell, or a new one started and waited for until its prompt. */
  async #ensureLive(
    deadline: number,
    signal: AbortSignal | undefined,
  ): Promise<{ live: Live; why: "ok" | "exited" | "deadline" | "aborted" }> {
    const running = this.#live;
    if (running && running.exitCode === null) return { live: running, why: "ok" };
    const live = this.#start();
    this.#live = live;
    const why = await this.#waitFor(live, deadline, signal, () => live.stdout.includes(PROMPT));
    if (why === "ok") {
      live.stdout = live.stdout.slice(live.stdout.indexOf(PROMPT) + PROMPT.length);
      live.prompted = true;
    }
    return { live, why };
  }

  #fail(live: Live, result: (o: IpmitoolOutcome) => RunResult): RunResult {
    const exitCode = live.exitCode ?? undefined;
    const outcome = { stdout: stripEchoes(live.stdout, ""), stderr: live.stderr, exitCode };
    if (this.#live === live) this.#live = undefined;
    kill(live);
    return result(outcome);
  }

  #armIdle(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      this.#queue = this.#queue.then(() => this.#quit());
    }, this.#spawn.idleMs);
    this.#idleTimer.unref();
  }

  #start(): Live {
    const guard = spawn("/bin/sh", ["-c", GUARD], { stdio: "pipe", detached: true });
    guard.stderr.resume();
    const child = spawn(this.#spawn.file, [...this.#spawn.args, "shell"], {
      env: { ...this.#spawn.env },
      detached: true,
      stdio: [guard.stdout, "pipe", "pipe"],
    });
    guard.stdout.destroy(); // ipmitool holds its own copy of the pipe's read end
    guard.stdin.on("error", () => undefined); // EPIPE once the guard is gone; seen through "close".
    guard.once("error", () => undefined);
    const live: Live = {
      child,
      guard,
      stdout: "",
      stderr: "",
      exitCode: null,
      prompted: false,
      wake: undefined,
      exited: new Promise((resolve) => {
        child.once("close", (code) => {
          live.exitCode = code ?? undefined;
          killProcessGroup(guard.pid);
          live.wake?.();
          resolve(code ?? undefined);
        });
      }),
    };
    child.stdout?.setEncoding("utf8");
    child.stderr?.setEncoding("utf8");
    child.stdout?.on("data", (chunk: string) => {
      live.stdout += chunk;
      live.wake?.();
    });
    child.stderr?.on("data", (chunk: string) => {
      live.stderr += chunk;
      live.wake?.();
    });
    child.once("error", () => {
      live.exitCode = undefined;
      killProcessGroup(guard.pid);
      live.wake?.();
    });
    return live;
  }

  /** Resolves "ok" when `ready()` holds, else why it never will. */
  #waitFor(
    live: Live,
    deadline: number,
    signal: AbortSignal | undefined,
    ready: () => boolean,
  ): Promise<"ok" | "exited" | "deadline" | "aborted"> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (why: "ok" | "exited" | "deadline" | "aborted") => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        live.wake = undefined;
        resolve(why);
      };
      const onAbort = () => finish("aborted");
      const check = () => {
        if (ready()) finish("ok");
        else if (live.exitCode !== null) finish("exited");
      };
      if (signal?.aborted) return finish("aborted");
      signal?.addEventListener("abort", onAbort, { once: true });
      timer = setTimeout(() => finish("deadline"), Math.max(0, deadline - performance.now()));
      live.wake = check;
      check();
    });
  }
}

function kill(live: Live): void {
  if (live.exitCode === null) killProcessGroup(live.child.pid);
  if (live.guard.exitCode === null && live.guard.signalCode === null) killProcessGroup(live.guard.pid);
}

/** Removes prompts and the echoed command lines, leaving what the command printed. */
function stripEchoes(text: string, verb: string): string {
  return text
    .split("\n")
    .map((line) => (line.startsWith(PROMPT) ? line.slice(PROMPT.length) : line))
    .filter(
      (line) =>
        line !== `chassis power ${verb}` && !line.startsWith(`chassis power ${SENTINEL}`) && line !== "",
    )
    .map((line) => `${line}\n`)
    .join("");
}
