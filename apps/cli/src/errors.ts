// The CLI's error codes and the one place that maps any error to a message and exit status:
// 1 = the command or its arguments are wrong (nothing was changed),
// 2 = the environment failed (file unreadable/corrupt, lock held, iLO not answering, I/O).
import { type HaconnError, HaconnError as BaseError, isConfigError } from "@haconn/config";

export type CliErrorCode =
  | "CLI_USAGE" // malformed or unknown argument, missing required argument
  | "CLI_NOT_FOUND" // the named server, PDU or link is not registered
  | "CLI_CONFLICT" // the change would break something registered (e.g. PDU still linked)
  | "CLI_INPUT" // the password/community could not be read
  | "CLI_BMC_CHECK"; // the iLO did not answer the check

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
  if (isConfigError(error, "CONFIG_INVALID") && error.issues.length > 0) {
    const lines = error.issues.map((i) => `${argumentFor(i.path)}: ${i.message} (${i.path})`);
    return { message: lines.join("\n"), exitCode: 1 };
  }
  if (BaseError.isInstance(error)) {
    return { message: (error as HaconnError).message, exitCode: EXIT[error.code] ?? 2 };
  }
  return { message: `internal error: ${(error as Error)?.stack ?? String(error)}`, exitCode: 70 };
}
