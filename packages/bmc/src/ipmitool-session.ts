// A persistent `ipmitool shell` per BMC: one RMCP+ session carries every request instead of one
// process and one session per call (measured ~30 ms → ~0.2 ms of protocol per request, see
// README.md). The daemon's polls and its power actions (NMI, hardware reset) share it; a power
// action goes to the front of the queue, behind at most the one request already on the wire.
//
// Framing: after each command we send a sentinel line, `chassis power haconn-end-<n>`, which
// ipmitool refuses locally (no network) with "Invalid chassis power command: haconn-end-<n>"
// on stderr, after echoing it behind its prompt on stdout. The command's answer is complete
// when both streams show their sentinel, so stdout and stderr are attributed to the right
// command although they arrive through two pipes.
//
// Safety: `ipmitool shell` (readline with an input timeout) spins on CPU when its input pipe
// ends without `quit`, so it must never outlive us. It reads our pipe directly (no wrapper
// process) and is started through `setpriv --pdeathsig KILL` where util-linux offers it (an
// exec, not a process of its own): the kernel kills it when the daemon dies, even by SIGKILL.
// Without setpriv the service's cgroup does it (systemd KillMode=mixed). Normal ends send
// `quit`; ipmitool runs in its own process group, SIGKILLed at a deadline.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import type { BmcAction, IpmitoolOutcome } from "./parse-output.js";
import { CHASSIS_VERB } from "./parse-output.js";
import { deathSignalLauncher } from "./launcher.js";
import { killProcessGroup, type RunResult } from "./run-ipmitool.js";

const PROMPT = "ipmitool> ";
const SENTINEL = "haconn-end-";

export interface SessionSpawn {
  file: string;
  /** Connection arguments (without `shell`). */
  args: readonly string[];
  env: Readonly<Record<string, string>>;
  /** Close the session after this long without a command (BMC sessions expire when idle). */
  idleMs: number;
  /** Start ipmitool through `setpriv --pdeathsig KILL` when available (default true). */
  deathSignal?: boolean;
  /** A shell process was started (for the driver's counters). */
  onStart?: () => void;
  /** The shell ended without being asked to (not an idle `quit`, not discard or close). */
  onLost?: () => void;
}

interface Live {
  child: ChildProcessWithoutNullStreams;
  stdout: string;
  stderr: string;
  exited: Promise<number | undefined>;
  exitCode: number | undefined | null;
  /** The first prompt was seen: the RMCP+ session is established. */
  prompted: boolean;
  /** We ended it (quit, discard, deadline): its exit is expected. */
  ending: boolean;
  wake: (() => void) | undefined;
}

interface Task {
  urgent: boolean;
  run: () => Promise<void>;
}

export class IpmitoolSession {
  readonly #spawn: SessionSpawn;
  #live: Live | undefined;
  #seq = 0;
  readonly #tasks: Task[] = [];
  #busy = false;
  #idleTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(spawnOptions: SessionSpawn) {
    this.#spawn = spawnOptions;
  }

  /** Process group id of the running shell, if any (for tests and diagnostics). */
  get pid(): number | undefined {
    return this.#live?.child.pid;
  }

  /** True while a shell is running and has shown its prompt (a session with the BMC is open). */
  get ready(): boolean {
    const live = this.#live;
    return live !== undefined && live.exitCode === null && live.prompted && !live.ending;
  }

  /**
   * Runs one `chassis power <verb>`. Calls are serialized; an `urgent` one (a power action)
   * runs before every queued non-urgent one. The deadline counts from this call, queueing
   * included.
   */
  run(
    action: BmcAction,
    deadlineMs: number,
    signal?: AbortSignal,
    options: { urgent?: boolean } = {},
  ): Promise<RunResult> {
    const started = performance.now();
    const deadline = started + deadlineMs;
    // Still queued at the deadline or on abort: taken out of the queue, never sent.
    const expired = (killed: "deadline" | "aborted"): RunResult => ({
      stdout: "",
      stderr: "",
      exitCode: undefined,
      killed,
      spawnError: undefined,
      durationMs: performance.now() - started,
    });
    return this.#enqueue(options.urgent ?? false, () => this.#runNow(action, started, deadline, signal), {
      deadline,
      signal,
      expired,
    });
  }

  /**
   * Opens the session now (starts the shell and waits for its prompt) without running a
   * command; resolves whether the session is up. Serialized with run().
   */
  open(deadlineMs: number, signal?: AbortSignal): Promise<boolean> {
    const deadline = performance.now() + deadlineMs;
    return this.#enqueue(false, async () => {
      if (this.#closed) return false;
      const up = await this.#ensureLive(deadline, signal);
      if (up.why === "ok") {
        this.#armIdle();
        return true;
      }
      this.#end(up.live);
      return false;
    });
  }

  /** Kills the running shell; the next call starts a fresh one. */
  discard(): void {
    const live = this.#live;
    if (live) this.#end(live);
  }

  /** Ends the session (`quit`, then SIGKILL after 1 s). Safe to call twice. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#idleTimer);
    await this.#enqueue(false, () => this.#quit());
  }

  #enqueue<T>(
    urgent: boolean,
    fn: () => Promise<T>,
    limit?: {
      deadline: number;
      signal: AbortSignal | undefined;
      expired: (why: "deadline" | "aborted") => T;
    },
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => drop("aborted");
      const settle = () => {
        clearTimeout(timer);
        limit?.signal?.removeEventListener("abort", onAbort);
      };
      const task: Task = {
        urgent,
        run: () => {
          settle();
          return fn().then(resolve, reject);
        },
      };
      const drop = (why: "deadline" | "aborted") => {
        const i = this.#tasks.indexOf(task);
        if (i < 0 || !limit) return;
        this.#tasks.splice(i, 1);
        settle();
        resolve(limit.expired(why));
      };
      const at = urgent ? this.#tasks.findIndex((t) => !t.urgent) : -1;
      if (at < 0) this.#tasks.push(task);
      else this.#tasks.splice(at, 0, task);
      if (limit) {
        timer = setTimeout(() => drop("deadline"), Math.max(0, limit.deadline - performance.now()));
        limit.signal?.addEventListener("abort", onAbort, { once: true });
      }
      void this.#pump();
      if (limit?.signal?.aborted) drop("aborted");
    });
  }

  async #pump(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      for (let task = this.#tasks.shift(); task; task = this.#tasks.shift()) await task.run();
    } finally {
      this.#busy = false;
    }
  }

  async #quit(): Promise<void> {
    const live = this.#live;
    this.#live = undefined;
    if (!live) return;
    live.ending = true;
    live.child.stdin.end("quit\n");
    const timer = setTimeout(() => kill(live), 1000);
    await live.exited;
    clearTimeout(timer);
    kill(live);
  }

  async #runNow(
    action: BmcAction,
    started: number,
    deadline: number,
    signal?: AbortSignal,
  ): Promise<RunResult> {
    if (this.#closed) throw new Error("IpmitoolSession is closed");
    clearTimeout(this.#idleTimer);
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
    live.child.stdin.write(`chassis power ${CHASSIS_VERB[action]}\n${marker}\n`);
    const done = await this.#waitFor(
      live,
      deadline,
      signal,
      () => live.stdout.includes(`${PROMPT}${marker}\n`) && live.stderr.includes(stderrMarker),
    );
    if (done !== "ok") {
      killed = done === "exited" ? undefined : done;
      return this.#fail(live, result);
    }
    const outEnd = live.stdout.indexOf(`${PROMPT}${marker}\n`);
    const errEnd = live.stderr.indexOf(stderrMarker);
    const stdout = stripEchoes(live.stdout.slice(0, outEnd), CHASSIS_VERB[action]);
    const stderr = live.stderr.slice(0, errEnd);
    live.stdout = live.stdout.slice(outEnd + PROMPT.length + marker.length + 1);
    live.stderr = live.stderr.slice(errEnd + stderrMarker.length);
    this.#armIdle();
    return result({ stdout, stderr, exitCode: undefined });
  }

  /** The running shell, or a new one started and waited for until its prompt. */
  async #ensureLive(
    deadline: number,
    signal: AbortSignal | undefined,
  ): Promise<{ live: Live; why: "ok" | "exited" | "deadline" | "aborted" }> {
    const running = this.#live;
    if (running && running.exitCode === null && !running.ending) return { live: running, why: "ok" };
    const launcher = this.#spawn.deathSignal === false ? [] : await deathSignalLauncher();
    const live = this.#start(launcher);
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
    this.#end(live);
    return result(outcome);
  }

  /** Ends a shell on purpose (its exit is then not reported as lost). */
  #end(live: Live): void {
    live.ending = true;
    if (this.#live === live) this.#live = undefined;
    kill(live);
  }

  #armIdle(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => void this.#enqueue(false, () => this.#quit()), this.#spawn.idleMs);
    this.#idleTimer.unref();
  }

  #start(launcher: readonly string[]): Live {
    const argv = [...this.#spawn.args, "shell"];
    const [file, args] =
      launcher.length > 0
        ? [launcher[0]!, [...launcher.slice(1), this.#spawn.file, ...argv]]
        : [this.#spawn.file, argv];
    const child = spawn(file, args, { env: { ...this.#spawn.env }, detached: true, stdio: "pipe" });
    this.#spawn.onStart?.();
    child.stdin.on("error", () => undefined); // EPIPE once ipmitool is gone; seen through "close".
    const live: Live = {
      child,
      stdout: "",
      stderr: "",
      exitCode: null,
      prompted: false,
      ending: false,
      wake: undefined,
      exited: new Promise((resolve) => {
        child.once("close", (code, signal) => {
          live.exitCode = code ?? (signal ? -1 : undefined);
          if (this.#live === live) this.#live = undefined;
          if (!live.ending && !this.#closed) this.#spawn.onLost?.();
          live.wake?.();
          resolve(live.exitCode);
        });
      }),
    };
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      live.stdout += chunk;
      live.wake?.();
    });
    child.stderr.on("data", (chunk: string) => {
      live.stderr += chunk;
      live.wake?.();
    });
    child.once("error", () => {
      live.exitCode = undefined;
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
