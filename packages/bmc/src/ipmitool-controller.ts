// PowerController over the ipmitool CLI. One ipmitool process per call by default; with
// `session: true`, status() goes through a persistent `ipmitool shell` (IpmitoolSession) while
// power actions keep a fresh process and session each, so a reset never inherits a stale one.
//
// With `armResetAfterNmi`, a successful NMI opens one more shell, dedicated to the hardware
// reset that follows it when the dump does not come (the reset engine's hispeed escalation):
// its RMCP+ session is established during the hispeed wait, so at the deadline the reset costs
// one IPMI request (~4 ms) instead of a process and a session (~30 ms). That shell is used
// once, only within `holdMs` of the NMI, then closed; it is never used for anything else and
// never shared with polling. If it is not at its prompt when the reset is due, or it does not
// acknowledge within `tryMs`, the reset falls back to a fresh process with what is left of the
// caller's deadline (a reset the BMC did carry out but did not acknowledge is then sent twice,
// which a server being fenced tolerates).
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
   * Poll status() through one persistent `ipmitool shell` per BMC (the daemon's steady load).
   * `true` or `{ idleMs }`; the shell is closed after `idleMs` without a call (default 20 s,
   * below the usual 60 s BMC session inactivity timeout). Default: off, one process per call.
   */
  session?: boolean | { idleMs?: number };
  /** PATH for ipmitool's environment. Default: the standard system directories. */
  path?: string;
  /**
   * After a successful nmi(), open a dedicated shell for the hardware reset that may follow.
   * `holdMs`: how long after the NMI it may be used (default 6 000: the longest hispeed time,
   * 5 000 ms, plus a second); `tryMs`: how long the reset waits for its acknowledgement there
   * before falling back to a fresh process (default 2 000); `delayMs`: how long after the NMI's
   * acknowledgement the shell is started (default 100: starting two processes blocks the event
   * loop for a few ms, kept out of the moments when a quick dump notice may arrive). Default: off.
   */
  armResetAfterNmi?: boolean | { holdMs?: number; tryMs?: number; delayMs?: number };
}

const DEFAULT_IDLE_MS = 20_000;
const DEFAULT_ARM = { holdMs: 6_000, tryMs: 2_000, delayMs: 100 } as const;

interface ArmedReset {
  session: IpmitoolSession;
  expiry: NodeJS.Timeout;
  /** Pending start of the shell (the delay after the NMI). */
  start: NodeJS.Timeout | undefined;
}

export class IpmitoolController implements PowerController {
  readonly kind = "bmc" as const;
  readonly describe: string;
  readonly #settings: BmcSettings;
  readonly #options: ResolvedIpmitoolOptions;
  readonly #env: Record<string, string>;
  readonly #session: IpmitoolSession | undefined;
  readonly #arm: { holdMs: number; tryMs: number; delayMs: number } | undefined;
  #armed: ArmedReset | undefined;
  #closed = false;

  constructor(settings: BmcSettings, options: IpmitoolControllerOptions = {}) {
    this.#settings = { ...settings };
    this.#options = resolveIpmitoolOptions(options);
    this.#env = ipmitoolEnv(this.#settings, this.#options, options.path);
    this.describe = describeBmc(settings);
    if (options.session) {
      const idleMs =
        (typeof options.session === "object" ? options.session.idleMs : undefined) ?? DEFAULT_IDLE_MS;
      this.#session = this.#newSession(idleMs);
    }
    const arm = options.armResetAfterNmi;
    if (arm) {
      this.#arm = { ...DEFAULT_ARM, ...(typeof arm === "object" ? arm : {}) };
      if (!(this.#arm.holdMs > this.#arm.delayMs && this.#arm.tryMs > 0 && this.#arm.delayMs >= 0))
        throw new RangeError("armResetAfterNmi: need holdMs > delayMs >= 0 and tryMs > 0");
    }
  }

  /** Whether a dedicated reset shell is armed and at its prompt (for tests and diagnostics). */
  get resetArmed(): boolean {
    return this.#armed?.session.ready ?? false;
  }

  /** The argv an action runs with, rendered for logs: never the password. */
  maskedCommandLine(action: BmcAction = "status"): string {
    return renderCommandLine(this.#options.ipmitoolPath, this.#args(action));
  }

  /** The argv an action runs with (for tests and diagnostics). No secret in it. */
  commandArgs(action: BmcAction): string[] {
    return this.#args(action);
  }

  async status(options?: CallOptions): Promise<PowerState> {
    const deadlineMs = options?.timeoutMs ?? this.#options.timeoutMs;
    const result = await this.#call("status", deadlineMs, options?.signal);
    const state = succeeded(result) ? parsePowerStatus(result.stdout) : undefined;
    if (state === undefined) throw this.#failure("status", result, deadlineMs);
    return state;
  }

  on(options?: CallOptions): Promise<void> {
    return this.#control("on", options);
  }

  off(options?: CallOptions): Promise<void> {
    return this.#control("off", options);
  }

  async reset(options?: CallOptions): Promise<void> {
    const armed = this.#takeArmed();
    if (!armed) return this.#control("reset", options);
    const started = performance.now();
    const deadlineMs = options?.timeoutMs ?? this.#options.timeoutMs;
    const tryMs = Math.min(deadlineMs, this.#arm!.tryMs);
    const result = await armed.run("reset", tryMs, options?.signal);
    void armed.close();
    if (succeeded(result) && isControlAcknowledged("reset", result.stdout)) return;
    const leftMs = deadlineMs - (performance.now() - started);
    if (options?.signal?.aborted || leftMs <= 0) throw this.#classify("reset", result, deadlineMs);
    return this.#control("reset", { ...options, timeoutMs: leftMs });
  }

  /** `chassis power diag`. DEVICE_UNSUPPORTED ("NMI not supported by device") when the BMC refuses it. */
  async nmi(options?: CallOptions): Promise<void> {
    await this.#control("nmi", options);
    if (this.#arm && !this.#closed) this.#armReset(this.#arm);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const armed = this.#takeArmed();
    await Promise.all([this.#session?.close(), armed && dispose(armed)]);
  }

  /** An `ipmitool shell` on this BMC, closed after `idleMs` without a call. */
  #newSession(idleMs: number): IpmitoolSession {
    return new IpmitoolSession({
      file: this.#options.ipmitoolPath,
      args: connectionArgs(this.#settings, this.#options),
      env: this.#env,
      idleMs,
    });
  }

  /** Opens the dedicated reset shell after `delayMs`; it is closed unused `holdMs` after the NMI. */
  #armReset({ holdMs, delayMs }: { holdMs: number; delayMs: number }): void {
    const previous = this.#takeArmed();
    if (previous) void dispose(previous);
    const session = this.#newSession(holdMs);
    const expiry = setTimeout(() => {
      if (this.#armed?.session === session) this.#armed = undefined;
      void dispose(session);
    }, holdMs);
    expiry.unref();
    const armed: ArmedReset = { session, expiry, start: undefined };
    this.#armed = armed;
    armed.start = setTimeout(() => {
      armed.start = undefined;
      if (this.#armed !== armed) return;
      void session.open(Math.min(holdMs - delayMs, this.#options.timeoutMs)).then((up) => {
        if (!up && this.#armed === armed) {
          this.#armed = undefined;
          clearTimeout(expiry);
          void dispose(session);
        }
      });
    }, delayMs);
    armed.start.unref();
  }

  /** The armed shell if it is at its prompt (it is taken: used once); any other is closed. */
  #takeArmed(): IpmitoolSession | undefined {
    const armed = this.#armed;
    if (!armed) return undefined;
    this.#armed = undefined;
    clearTimeout(armed.expiry);
    clearTimeout(armed.start);
    if (armed.session.ready) return armed.session;
    void dispose(armed.session);
    return undefined;
  }

  async #control(action: Exclude<BmcAction, "status">, options?: CallOptions): Promise<void> {
    const deadlineMs = options?.timeoutMs ?? this.#options.timeoutMs;
    const result = await this.#call(action, deadlineMs, options?.signal);
    if (!succeeded(result) || !isControlAcknowledged(action, result.stdout))
      throw this.#failure(action, result, deadlineMs);
  }

  #args(action: BmcAction): string[] {
    return [...connectionArgs(this.#settings, this.#options), "chassis", "power", CHASSIS_VERB[action]];
  }

  #call(action: BmcAction, deadlineMs: number, signal: AbortSignal | undefined): Promise<RunResult> {
    if (this.#session && action === "status") return this.#session.run(action, deadlineMs, signal);
    return runIpmitool({
      file: this.#options.ipmitoolPath,
      args: this.#args(action),
      env: this.#env,
      deadlineMs,
      signal,
    });
  }

  #failure(action: BmcAction, result: RunResult, deadlineMs: number): DriverError {
    const error = this.#classify(action, result, deadlineMs);
    // A session that failed for any reason but a refused command is not trusted again.
    if (this.#session && action === "status" && error.code !== "DEVICE_REJECTED") this.#session.discard();
    return error;
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

/** Ends a shell: `quit` when it is at its prompt, killed when it is still opening. */
function dispose(session: IpmitoolSession): Promise<void> {
  if (!session.ready) session.discard();
  return session.close();
}

function succeeded(result: RunResult): boolean {
  return (
    result.killed === undefined &&
    result.spawnError === undefined &&
    (result.exitCode === 0 || result.exitCode === undefined)
  );
}
