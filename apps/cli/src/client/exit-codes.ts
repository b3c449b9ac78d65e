// haconnclient's exit status (documented in its --help and in docs/operations.md §11.6). Every
// failure the client package can report maps to one of these.
import { isClientError } from "@haconn/client";
import type { ResetResultCode } from "@haconn/client";

export const EXIT = {
  /** check: answered, no blocker; reset: DUMP; dump-notice: accepted; listen: ended normally. */
  OK: 0,
  /** Wrong command or option; nothing was sent. */
  USAGE: 1,
  /** Local failure: key file refused or missing, socket could not be bound, send failed. */
  LOCAL: 2,
  /** The connector did not answer within --timeout (CHECK, RESET, DUMP-NOTICE, listen's first CHECK). */
  SILENT: 3,
  /** Answered, but not done: check with a blocker set; reset accepted without a result in time; dump notice never accepted; stopped by a signal. */
  INCOMPLETE: 4,
  /** reset: POFF (the target was found powered off). */
  POFF: 5,
  /** reset: FAIL (the reset failed, or this requester is the losing side of a mutual reset, or not the active connector). */
  FAIL: 6,
  /** reset: ERROR (invalid requester, requester itself reset, unknown target). */
  ERROR: 7,
  /** The connector answered UNSUPPORTED-VERSION. */
  VERSION: 8,
  /** A bug. */
  BUG: 70,
} as const;

export const EXIT_TABLE = `exit status:
  0  done: check answered with no blocker; reset result DUMP; dump notice accepted; listen ended
  1  wrong command or option; nothing was sent
  2  local failure: key file refused or missing, address not bindable, send failed
  3  the connector did not answer within --timeout
  4  answered but not done: check with a blocker set; reset accepted but no result within
     --timeout; dump notice answered but never accepted; stopped by a signal while waiting
  5  reset result POFF (the target was found powered off)
  6  reset result FAIL (reset failed; this requester is being reset; not the active connector)
  7  reset result ERROR (invalid requester; requester itself reset; unknown target)
  8  the connector reads another protocol version (UNSUPPORTED-VERSION)
 70  a bug
141  the output pipe was closed (e.g. \`| head\`); nothing more is written`;

export function exitForResult(result: ResetResultCode): number {
  return { DUMP: EXIT.OK, POFF: EXIT.POFF, FAIL: EXIT.FAIL, ERROR: EXIT.ERROR }[result];
}

export function exitForError(error: unknown): number {
  if (!isClientError(error)) return EXIT.BUG;
  switch (error.code) {
    case "CLIENT_BAD_OPTION":
      return EXIT.USAGE;
    case "CLIENT_TIMEOUT":
      return EXIT.SILENT;
    case "CLIENT_NO_RESULT":
      return EXIT.INCOMPLETE;
    case "CLIENT_UNSUPPORTED_VERSION":
      return EXIT.VERSION;
    default:
      return EXIT.LOCAL;
  }
}
