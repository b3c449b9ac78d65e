// Error codes of @haconn/client (ARCHITECTURE example 6). Every failure a caller can act on is a
// ClientError with one of these codes; `details` carries structured facts, never a secret.
import { HaconnError } from "@haconn/config";

export type ClientErrorCode =
  /** A value given to the API is outside the protocol's range (address, port, subsystem, name). */
  | "CLIENT_BAD_OPTION"
  /** The local socket failed: bind refused, address in use, send failed. */
  | "CLIENT_SOCKET"
  /** The connector did not answer within the bounded wait (CHECK, RESET, DUMP-NOTICE). */
  | "CLIENT_TIMEOUT"
  /** The reset was accepted, but its RESET-RESULT did not arrive within the bounded wait. */
  | "CLIENT_NO_RESULT"
  /** The connector answered UNSUPPORTED-VERSION: it is alive but reads other versions. */
  | "CLIENT_UNSUPPORTED_VERSION"
  /** The caller's AbortSignal fired. */
  | "CLIENT_ABORTED"
  /** The client was closed while a call was waiting. */
  | "CLIENT_CLOSED"
  /** The key file is missing or unreadable. */
  | "KEY_FILE_IO"
  /** The key file is a symbolic link or not a regular file. */
  | "KEY_FILE_TYPE"
  /** The key file is readable or writable by group or others. */
  | "KEY_FILE_MODE"
  /** The key file belongs to another user. */
  | "KEY_FILE_OWNER"
  /** The key file is larger than MAX_KEY_FILE_BYTES. */
  | "KEY_FILE_SIZE"
  /** The key file's text breaks docs/protocol.md §8.3 (the error names the line, never the key). */
  | "KEY_FILE_FORMAT";

const RETRYABLE: ReadonlySet<ClientErrorCode> = new Set(["CLIENT_TIMEOUT", "CLIENT_NO_RESULT"]);

export class ClientError extends HaconnError {
  declare readonly code: ClientErrorCode;
  constructor(
    code: ClientErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(code, message, { ...options, retryable: RETRYABLE.has(code) });
    this.name = "ClientError";
  }
}

const CODES: ReadonlySet<string> = new Set<ClientErrorCode>([
  "CLIENT_BAD_OPTION",
  "CLIENT_SOCKET",
  "CLIENT_TIMEOUT",
  "CLIENT_NO_RESULT",
  "CLIENT_UNSUPPORTED_VERSION",
  "CLIENT_ABORTED",
  "CLIENT_CLOSED",
  "KEY_FILE_IO",
  "KEY_FILE_TYPE",
  "KEY_FILE_MODE",
  "KEY_FILE_OWNER",
  "KEY_FILE_SIZE",
  "KEY_FILE_FORMAT",
]);

/** True for a ClientError (across bundles, where `instanceof` may fail), optionally of one code. */
export function isClientError(value: unknown, code?: ClientErrorCode): value is ClientError {
  return (
    HaconnError.isInstance(value) && CODES.has(value.code) && (code === undefined || value.code === code)
  );
}
