// One base error for the whole product (ARCHITECTURE example 6). Each package keeps a small
// catalog of codes; the CLI maps codes to messages and exit status.

export interface HaconnErrorOptions {
  cause?: unknown;
  retryable?: boolean;
  /** Extra structured facts for logs and --json output. Never secrets. */
  details?: Record<string, unknown>;
}

export class HaconnError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, options: HaconnErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "HaconnError";
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details;
  }

  /** Works across bundles and realms, where `instanceof` may not. */
  static isInstance(value: unknown): value is HaconnError {
    return (
      typeof value === "object" &&
      value !== null &&
      typeof (value as { code?: unknown }).code === "string" &&
      typeof (value as { retryable?: unknown }).retryable === "boolean" &&
      value instanceof Error
    );
  }
}

/**
 * Why a device (BMC, PDU, ESXi host) call failed. Shared by every driver so the engine can
 * decide escalation without knowing which driver it talks to.
 */
export type DriverErrorCode =
  | "DEVICE_UNREACHABLE" // nothing answers at that address/port
  | "DEVICE_TIMEOUT" // the call did not finish before its deadline (process killed, request abandoned)
  | "DEVICE_AUTH" // credentials or community refused
  | "DEVICE_REJECTED" // the device answered and refused the command
  | "DEVICE_UNSUPPORTED" // the device cannot do this at all (e.g. NMI not supported by ipmi_sim)
  | "DEVICE_BAD_OUTPUT" // the device or tool answered something we cannot parse
  | "DEVICE_NOT_FOUND"; // the addressed object does not exist (VM name, outlet number)

export class DriverError extends HaconnError {
  declare readonly code: DriverErrorCode;
  constructor(code: DriverErrorCode, message: string, options: HaconnErrorOptions = {}) {
    super(code, message, {
      ...options,
      retryable: options.retryable ?? (code === "DEVICE_UNREACHABLE" || code === "DEVICE_TIMEOUT"),
    });
    this.name = "DriverError";
  }
}

export function isDriverError(value: unknown, code?: DriverErrorCode): value is DriverError {
  return (
    HaconnError.isInstance(value) &&
    value.code.startsWith("DEVICE_") &&
    (code === undefined || value.code === code)
  );
}
