// PowerController over the ipmitool CLI. One ipmitool process per call by default; with
// `session: true`, every call goes through one persistent `ipmitool shell` per BMC
// (IpmitoolSession): the polls, and the power actions (NMI, hardware reset, on, off) ahead of
// any queued poll. The reset path then never starts a process while a request waits: a power
// action writes one line into an open session (~0.2 ms of protocol) instead of starting
// ipmitool and an RMCP+ session (~30 ms and a few ms of the daemon's event loop).
//
// A power action starts a one-shot process only as the fallback, counted in `stats`:
// - the session is not at its prompt (never opened, or lost): the process runs at once and the
//   session is re-opened in the background;
// - the session did not carry the action within `tryMs` (a BMC that stalled, a shell that
//   died): the process runs with what is left of the caller's deadline (a reset the BMC did
//   carry out but did not acknowledge is then sent twice, which a server being fenced tolerates).
// A BMC's answer (a refusal, "not supported") is final: no second try.
// A session that ends by itself (not an idle close) is re-opened in the background after
// 1 s, backing off to 30 s while it keeps failing.
import type { BmcSettings, CallOptions, PowerController, PowerState } from "@haconn/config";
import { DriverError } from "@haconn/config";
import {
  connectionArgs,
  describeBmc,
  type IpmitoolOptions,
  ipmitoolEnv,
  type ResolvedIpmitoolOptions,
  renderCommandLine,
  resolveIpmitoolOptions,
} from "./ipmitool-args.js";
import { IpmitoolSession } from "./ipmitool-session.js";
import { lightRegistryHome } from "./launcher.js";
import {
  type BmcAction,
  CHASSIS_VERB,
  classifyFailure,
  isControlAcknowledged,
  parsePowerStatus,
} from "./parse-output.js";
import { type RunResult, runIpmitool } from "./run-ipmitool.js";

export interface IpmitoolControllerOptions extends IpmitoolOptions {
  /**
   * Run calls through one persistent `ipmitool shell` per BMC (the daemon's mode).
   * `idleMs`: closed after this long without a call (default 20 s, below the usual 60 s BMC
   * session inactivity timeout; the daemon polls every 5 s, so it stays open). `tryMs`: how
   * long a power action waits for the session before the one-shot fallback (default 2 000).
   * Default: off, one process per call.
   */
  session?: boolean | { idleMs?: number; tryMs?: number };
  /** PATH for ipmitool's environment. Default: the standard system directories. */
  path?: string;
  /**
   * Give ipmitool a private HOME with a one-entry IANA registry instead of letting it parse the
   * system's 4.7 MB one at every start (launcher.ts). Default true.
   */
  lightRegistry?: boolean;
}

/** What the driver did, for metrics: the reset path's one-shot processes are the exception. */
export interface BmcCallStats {
  /** Calls carried by the session. */
  sessionCalls: number;
  /** One-shot ipmitool processes started (status and power actions). */
  processCalls: number;
  /** Power actions that fell back to a one-shot process although the driver has a session. */
  processFallbacks: number;
  /** `ipmitool shell` processes started. */
  shellsStarted: number;
  /** Background re-opens of a lost session. */
  reopens: number;
}

const DEFAULT_IDLE_MS = 20_000;
const DEFAULT_TRY_MS = 2_000;
const REOPEN_MIN_MS = 1_000;
const REOPEN_MAX_MS = 30_000;

export class IpmitoolController implements PowerController {
  readonly kind = "bmc" as const;
  readonly describe: string;
  readonly #settings: BmcSettings;
  readonly #options: ResolvedIpmitoolOptions;
  readonly #env: Record<string, string>;
  readonly #session: IpmitoolSession | undefined;
  readonly #tryMs: number;
  readonly #stats: BmcCallStats = {
    sessionCalls: 0,
    processCalls: 0,
    processFallbacks: 0,
    shellsStarted: 0,
    reopens: 0,
  };
  #reopenTimer: NodeJS.Timeout | undefined;
  #reopenDelayMs = REOPEN_MIN_MS;
  #closed = false;

  constructor(settings: BmcSettings, options: IpmitoolControllerOptions = {}) {
    this.#settings = { ...settings };
    this.#options = resolveIpmitoolOptions(options);
    const home = options.lightRegistry === false ? null : lightRegistryHome();
    this.#env = {
      ...(home ? { HOME: home } : {}),
      ...ipmitoolEnv(this.#settings, this.#options, options.path),
    };
    this.describe = describeBmc(settings);
    const session = typeof options.session === "object" ? options.session : {};
    this.#tryMs = session.tryMs ?? DEFAULT_TRY_MS;
    if (!(this.#tryMs > 0)) throw new RangeError(`session.tryMs must be > 0, got ${this.#tryMs}`);
    if (options.session) {
      this.#session = new IpmitoolSession({
        file: this.#options.ipmitoolPath,
        args: connectionArgs(this.#settings, this.#options),
        env: this.#env,
        idleMs: session.idleMs ?? DEFAULT_IDLE_MS,
        onStart: () => this.#stats.shellsStarted++,
        onLost: () => this.#reopenSoon(),
      });
    }
  }

  /** Counters since construction (a copy). */
  get stats(): BmcCallStats {
    return { ...this.#stats };
  }

  /** Whether the session is open at its prompt, so a power action needs no process. */
  get sessionReady(): boolean {
    return this.#session?.ready ?? false;
  }

  /** The argv an action runs with, rendered for logs: never the password. */
  maskedCommandLine(action: BmcAction = "status"): string {
    return renderCommandLine(this.#options.ipmitoolPath, this.#args(action));
  }

  /** The argv an action runs with (for tests and diagnostics). No secret in it. */
  commandArgs(action: BmcAction): string[] {
    return this.#args(action);
  }

  /** Opens the session now, if the driver has one (resolves whether it is up). */
  async warm(options?: CallOptions): Promise<boolean> {
    if (!this.#session || this.#closed) return false;
    return this.#session.open(options?.timeoutMs ?? this.#options.timeoutMs, options?.signal);
  }

  async status(options?: CallOptions): Promise<PowerState> {
    const deadlineMs = options?.timeoutMs ?? this.#options.timeoutMs;
    let result: RunResult;
    if (this.#session) {
      this.#stats.sessionCalls++;
      result = await this.#session.run("status", deadlineMs, options?.signal);
    } else result = await this.#process("status", deadlineMs, options?.signal);
    const state = succeeded(result) ? parsePowerStatus(result.stdout) : undefined;
    if (state === undefined) {
      const error = this.#classify("status", result, deadlineMs);
      // A session that failed for any reason but a refused command is not trusted again.
      if (this.#session && error.code !== "DEVICE_REJECTED") this.#session.discard();
      throw error;
    }
    return state;
  }

  on(options?: CallOptions): Promise<void> {
    return this.#control("on", options);
  }

  off(options?: CallOptions): Promise<void> {
    return this.#control("off", options);
  }

  reset(options?: CallOptions): Promise<void> {
    return this.#control("reset", options);
  }

  /** `chassis power diag`. DEVICE_UNSUPPORTED ("NMI not supported by device") when the BMC refuses it. */
  nmi(options?: CallOptions): Promise<void> {
    return this.#control("nmi", options);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#reopenTimer);
    await this.#session?.close();
  }

  async #control(action: Exclude<BmcAction, "status">, options?: CallOptions): Promise<void> {
    const deadlineMs = options?.timeoutMs ?? this.#options.timeoutMs;
    const session = this.#session;
    if (session?.ready) {
      const started = performance.now();
      this.#stats.sessionCalls++;
      const tryMs = Math.min(deadlineMs, this.#tryMs);
      const result = await session.run(action, tryMs, options?.signal, { urgent: true });
      if (succeeded(result) && isControlAcknowledged(action, result.stdout)) return;
      const error = this.#classify(action, result, deadlineMs);
      // The BMC answered (refused, not supported): final. Aborted by the caller: final.
      // The session failed when it timed out or is gone (a refusal leaves it at its prompt).
      const sessionFailed = result.killed === "deadline" || !session.ready;
      const leftMs = deadlineMs - (performance.now() - started);
      if (!sessionFailed || options?.signal?.aborted || leftMs <= 0) throw error;
      session.discard();
      this.#reopenSoon();
      return this.#oneShot(action, { ...options, timeoutMs: leftMs }, true);
    }
    if (session && !this.#closed) this.#reopenSoon();
    return this.#oneShot(action, options, session !== undefined);
  }

  async #oneShot(action: Exclude<BmcAction, "status">, options: CallOptions | undefined, fallback: boolean) {
    const deadlineMs = options?.timeoutMs ?? this.#options.timeoutMs;
    if (fallback) this.#stats.processFallbacks++;
    const result = await this.#process(action, deadlineMs, options?.signal);
    if (!succeeded(result) || !isControlAcknowledged(action, result.stdout))
      throw this.#classify(action, result, deadlineMs);
  }

  /** Re-opens the session in the background (backing off while it keeps failing). */
  #reopenSoon(): void {
    const session = this.#session;
    if (!session || this.#closed || this.#reopenTimer !== undefined) return;
    this.#reopenTimer = setTimeout(() => {
      this.#reopenTimer = undefined;
      if (this.#closed || session.ready) return;
      this.#stats.reopens++;
      void session.open(this.#options.timeoutMs).then((up) => {
        if (up) this.#reopenDelayMs = REOPEN_MIN_MS;
        else {
          this.#reopenDelayMs = Math.min(REOPEN_MAX_MS, this.#reopenDelayMs * 2);
          this.#reopenSoon();
        }
      });
    }, this.#reopenDelayMs);
    this.#reopenTimer.unref();
  }

  #args(action: BmcAction): string[] {
    return [...connectionArgs(this.#settings, this.#options), "chassis", "power", CHASSIS_VERB[action]];
  }

  #process(action: BmcAction, deadlineMs: number, signal: AbortSignal | undefined): Promise<RunResult> {
    this.#stats.processCalls++;
    return runIpmitool({
      file: this.#options.ipmitoolPath,
      args: this.#args(action),
      env: this.#env,
      deadlineMs,
      signal,
    });
  }

  #classify(action: BmcAction, result: RunResult, deadlineMs: number): DriverError {
    const what = `${this.describe}: chassis power ${CHASSIS_VERB[action]}`;
    if (result.killed === "deadline")
      return new DriverError(
        "DEVICE_TIMEOUT",
        `${what}: no answer within ${deadlineMs} ms (ipmitool killed)`,
        {
          details: { target: this.describe, action, timeoutMs: deadlineMs },
        },
      );
    if (result.killed === "aborted")
      return new DriverError("DEVICE_TIMEOUT", `${what}: abandoned by the caller (ipmitool killed)`, {
        retryable: true,
        details: { target: this.describe, action, aborted: true },
      });
    if (result.spawnError)
      return new DriverError(
        "DEVICE_UNREACHABLE",
        `${what}: cannot run ${this.#options.ipmitoolPath}: ${result.spawnError.message}`,
        {
          cause: result.spawnError,
          retryable: false,
          details: { target: this.describe, action, reason: "spawn" },
        },
      );
    return classifyFailure(action, result, { target: this.describe, cipher: this.#settings.cipher });
  }
}

function succeeded(result: RunResult): boolean {
  return (
    result.killed === undefined &&
    result.spawnError === undefined &&
    (result.exitCode === 0 || result.exitCode === undefined)
  );
}
