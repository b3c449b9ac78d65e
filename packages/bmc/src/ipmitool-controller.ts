// PowerController over the ipmitool CLI. One ipmitool process per call by default; with
// `session: true`, status() goes through a persistent `ipmitool shell` (IpmitoolSession) while
// power actions keep a fresh process and session each, so a reset never inherits a stale one.
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
}

const DEFAULT_IDLE_MS = 20_000;

export class IpmitoolController implements PowerController {
  readonly kind = "bmc" as const;
  readonly describe: string;
  readonly #settings: BmcSettings;
  readonly #options: ResolvedIpmitoolOptions;
  readonly #env: Record<string, string>;
  readonly #session: IpmitoolSession | undefined;

  constructor(settings: BmcSettings, options: IpmitoolControllerOptions = {}) {
    this.#settings = { ...settings };
    this.#options = resolveIpmitoolOptions(options);
    this.#env = ipmitoolEnv(this.#settings, this.#options, options.path);
    this.describe = describeBmc(settings);
    if (options.session) {
      const idleMs =
        (typeof options.session === "object" ? options.session.idleMs : undefined) ?? DEFAULT_IDLE_MS;
      this.#session = new IpmitoolSession({
        file: this.#options.ipmitoolPath,
        args: connectionArgs(this.#settings, this.#options),
        env: this.#env,
        idleMs,
      });
    }
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

  reset(options?: CallOptions): Promise<void> {
    return this.#control("reset", options);
  }

  /** `chassis power diag`. DEVICE_UNSUPPORTED ("NMI not supported by device") when the BMC refuses it. */
  nmi(options?: CallOptions): Promise<void> {
    return this.#control("nmi", options);
  }

  async close(): Promise<void> {
    await this.#session?.close();
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

function succeeded(result: RunResult): boolean {
  return (
    result.killed === undefined &&
    result.spawnError === undefined &&
    (result.exitCode === 0 || result.exitCode === undefined)
  );
}
