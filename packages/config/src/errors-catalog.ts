// Error codes of the configuration package (ARCHITECTURE example 6). The CLI maps each code to
// an exit status; `details` carries structured facts (never secrets).
import { HaconnError } from "./errors.js";

export type ConfigErrorCode =
  /** The configuration (as edited or as read) breaks a schema or cross-field rule. */
  | "CONFIG_INVALID"
  /** The stored file is not JSON, or violates the schema: reported with file path and JSON path. */
  | "CONFIG_CORRUPT"
  /** The stored file has a schema version this program does not know (newer, or no migration). */
  | "CONFIG_VERSION"
  /** Another process holds the configuration lock for longer than the wait allows. */
  | "CONFIG_LOCKED"
  /** Reading or writing the configuration directory failed (permissions, disk full...). */
  | "CONFIG_IO"
  /** The stored file is larger than MAX_CONFIG_BYTES (1 MiB), or not a regular file: not read. */
  | "CONFIG_TOO_LARGE";

/** One rule violation, at a JSON Pointer into the configuration (e.g. `/pservers/0/timeoutSec`). */
export interface ValidationIssue {
  path: string;
  message: string;
  /** The object and field in operator words ("managed server PSERVER1 addr"); set by validateConfig. */
  place?: string;
}

export class ConfigError extends HaconnError {
  declare readonly code: ConfigErrorCode;
  /** The violations, for CONFIG_INVALID and CONFIG_CORRUPT (first one first). */
  readonly issues: readonly ValidationIssue[];

  constructor(
    code: ConfigErrorCode,
    message: string,
    options: { cause?: unknown; issues?: ValidationIssue[]; details?: Record<string, unknown> } = {},
  ) {
    super(code, message, {
      cause: options.cause,
      details: options.details,
      retryable: code === "CONFIG_LOCKED",
    });
    this.name = "ConfigError";
    this.issues = options.issues ?? [];
  }
}

export function isConfigError(value: unknown, code?: ConfigErrorCode): value is ConfigError {
  return (
    HaconnError.isInstance(value) &&
    value.code.startsWith("CONFIG_") &&
    (code === undefined || value.code === code)
  );
}
