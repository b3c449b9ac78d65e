// The CLI's error codes and the one place that maps any error to a message and exit status:
// 1 = the command or its arguments are wrong (nothing was changed),
// 2 = the environment failed (file unreadable/corrupt, lock held, iLO not answering, I/O), or
//     haconnd answered that the operation failed,
// 3 = haconnd is not running (the command printed "HA connector service is not processing."),
// 4 = haconnd refused: the command runs on the active connector only and this node is not it,
// 70 = a bug.
import { type HaconnError, HaconnError as BaseError, isConfigError } from "@haconn/config";

export type CliErrorCode =
  | "CLI_USAGE" // malformed or unknown argument, missing required argument
  | "CLI_NOT_FOUND" // the named server, PDU or link is not registered
  | "CLI_CONFLICT" // the change would break something registered (e.g. PDU still linked)
  | "CLI_INPUT" // the password/community could not be read
  | "CLI_BMC_CHECK" // the iLO did not answer the check
  | "CLI_DUMP"; // haconndump could not write its archive

export class CliError extends BaseError {
  declare readonly code: CliErrorCode;
  constructor(code: CliErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
    this.name = "CliError";
  }
}

export const usage = (message: string) => new CliError("CLI_USAGE", message);

const EXIT: Record<string, number> = {
  CLI_USAGE: 1,
  CLI_NOT_FOUND: 1,
  CLI_CONFLICT: 1,
  CONFIG_INVALID: 1,
  CLI_INPUT: 2,
  CLI_BMC_CHECK: 2,
  CONFIG_CORRUPT: 2,
  CONFIG_VERSION: 2,
  CONFIG_LOCKED: 2,
  CONFIG_IO: 2,
  CONFIG_TOO_LARGE: 2,
  CLI_DUMP: 2,
  // haconnd's answers (the control-socket contract)
  NOT_RUNNING: 3,
  NOT_ACTIVE: 4,
  CONTROL_BAD_ARGS: 1,
  CONTROL_TIMEOUT: 2,
  CONTROL_IO: 2,
  CONTROL_UNKNOWN_OP: 2,
};

/** The manual's message when a command needs the daemon and it is not running (§6). */
export const NOT_PROCESSING = "HA connector service is not processing.";
export const NOT_ACTIVE_MESSAGE = "This command can be run only on the active connector.";

/** Operator wording for haconnd's error codes; the daemon's own message follows. */
const DAEMON_MESSAGE: Record<string, (message: string) => string> = {
  NOT_RUNNING: () => NOT_PROCESSING,
  NOT_ACTIVE: (m) => `${NOT_ACTIVE_MESSAGE} (haconnd: ${m})`,
  CONTROL_BAD_ARGS: (m) => `haconnd refused the arguments: ${m}`,
  CONTROL_UNKNOWN_OP: (m) =>
    `haconnd does not support this command (${m}); is it the same version as the commands?`,
  CONTROL_TIMEOUT: (m) => `${m}; the operation may still be running, see the logs`,
};

/** The argument an operator typed, for a field of the configuration. */
const ARGUMENT: Record<string, string> = {
  timeoutSec: "timeout",
  recoveryTimeSec: "recoverytime",
  resetTimeMs: "resettime",
  community: "name",
  outlet: "concent",
  pdu: "addr",
  hostKey: "hostkey",
  mask: "addr",
  prefixLength: "addr",
  cipher: "cipher",
  mservers: "mserver add",
  pservers: "pserver add",
  pdus: "ipdu add",
  outlets: "ipduadd",
  enabled: "VMware",
};

function argumentFor(path: string): string {
  const parts = path.split("/").filter((p) => p !== "" && !/^\d+$/.test(p));
  const last = parts.at(-1) ?? "";
  if (last === "name" && parts.length === 2) return "<name>";
  return ARGUMENT[last] ?? last;
}

export function describeError(error: unknown): { message: string; exitCode: number } {
  if (isConfigError(error, "CONFIG_INVALID") && (error.issues?.length ?? 0) > 0) {
    const lines = error.issues.map((i) => `${argumentFor(i.path)}: ${i.message} (${i.path})`);
    return { message: lines.join("\n"), exitCode: 1 };
  }
  if (BaseError.isInstance(error)) {
    const message = DAEMON_MESSAGE[error.code]?.(error.message) ?? (error as HaconnError).message;
    return { message, exitCode: EXIT[error.code] ?? 2 };
  }
  return { message: `internal error: ${(error as Error)?.stack ?? String(error)}`, exitCode: 70 };
}
