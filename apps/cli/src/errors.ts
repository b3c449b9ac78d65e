// The CLI's error codes and the one place that maps any error to a message and exit status
// (exit-codes.ts has the table). Messages name servers and fields in operator words, never JSON
// paths or bare codes.
import { HaconnError as BaseError, type HaconnError, isConfigError } from "@haconn/config";
import { EXIT, EXIT_BY_CODE } from "./exit-codes.js";

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

/** The manual's message when a command needs the daemon and it is not running (§6). */
export const NOT_PROCESSING = "HA connector service is not processing.";
export const NOT_ACTIVE_MESSAGE = "This command can be run only on the active connector.";

/** Operator wording for haconnd's error codes; the daemon's own message follows. */
const DAEMON_MESSAGE: Record<string, (message: string) => string> = {
  NOT_RUNNING: () => NOT_PROCESSING,
  NOT_ACTIVE: (m) => `${NOT_ACTIVE_MESSAGE} (haconnd: ${m})`,
  NOT_STANDBY: (m) => `This command can be run only on the standby connector. (haconnd: ${m})`,
  CONTROL_BAD_ARGS: (m) => `haconnd refused the arguments: ${m}`,
  CONTROL_UNKNOWN_OP: (m) =>
    `haconnd does not support this command (${m}); is it the same version as the commands?`,
  CONTROL_TIMEOUT: (m) => `${m}; the operation may still be running, see the logs`,
};

/** Driver codes that reach messages (e.g. "software reset failed: DEVICE_UNSUPPORTED"), in words. */
const DEVICE_WORDS: Record<string, string> = {
  DEVICE_UNREACHABLE: "the device did not answer (unreachable)",
  DEVICE_TIMEOUT: "the device did not answer in time",
  DEVICE_AUTH: "the device refused the account, password or community",
  DEVICE_REJECTED: "the device refused the command",
  DEVICE_UNSUPPORTED: "the device does not support this (e.g. no NMI on this iLO/BMC)",
  DEVICE_BAD_OUTPUT: "the device answered something that could not be read",
  DEVICE_NOT_FOUND: "the device has no such object (VM name or outlet number)",
  DEVICE_FAILED: "the device operation failed",
};

/** Replaces bare driver codes in a daemon message by operator words. */
export function inWords(message: string): string {
  return message.replace(/\b(DEVICE_[A-Z_]+)\b/g, (code) => DEVICE_WORDS[code] ?? code);
}

export interface DescribedError {
  message: string;
  exitCode: number;
  /** The error's code for --json ({"error":{"code":…}}). */
  code: string;
}

export function describeError(error: unknown): DescribedError {
  if (isConfigError(error, "CONFIG_INVALID") && (error.issues?.length ?? 0) > 0) {
    const lines = error.issues.map((i) => `${i.place ?? "configuration"}: ${i.message}`);
    return { message: lines.join("\n"), exitCode: EXIT.USAGE, code: error.code };
  }
  if (BaseError.isInstance(error)) {
    const message = DAEMON_MESSAGE[error.code]?.(error.message) ?? inWords((error as HaconnError).message);
    return { message, exitCode: EXIT_BY_CODE[error.code] ?? EXIT.FAILED, code: error.code };
  }
  return {
    message: `internal error: ${(error as Error)?.stack ?? String(error)}`,
    exitCode: EXIT.INTERNAL,
    code: "INTERNAL",
  };
}
