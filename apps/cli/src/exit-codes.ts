// The exit status of every command, one per cause, on every path (the command's own checks,
// the configuration store, haconnd's answers). docs/operations.md "Exit status" prints this
// table; a test keeps the two equal. Other commands built on the shared runner (run-program.ts)
// use the same table.

export const EXIT = {
  /** Done. */
  OK: 0,
  /** The command or an argument is wrong, names something not registered, or would break the configuration: nothing was changed or sent. */
  USAGE: 1,
  /** The environment failed (configuration unreadable, corrupt or locked, iLO check, I/O, not root), or haconnd answered that the operation failed. */
  FAILED: 2,
  /** haconnd is not running ("HA connector service is not processing."). */
  NOT_RUNNING: 3,
  /** Refused: the command runs on another role (the active connector only, or the standby). */
  WRONG_ROLE: 4,
  /** A bug: the message says "internal error"; send the haconndump archive. */
  INTERNAL: 70,
  /** The output pipe was closed by the reader (`| head`): the command stopped quietly, as `cat` does (128 + SIGPIPE). */
  PIPE_CLOSED: 141,
} as const;

/** One row per status, for docs/operations.md and the man pages. */
export const EXIT_TABLE: readonly (readonly [number, string])[] = [
  [EXIT.OK, "done"],
  [
    EXIT.USAGE,
    "the command or an argument is wrong, names a server, PDU or HA monitor that is not registered (or a server without outlets for a PDU test), or would make the configuration invalid; nothing was changed or done",
  ],
  [
    EXIT.FAILED,
    "the environment failed (configuration unreadable, corrupt or locked; iLO check; I/O; not run as root), or haconnd answered that the operation failed (also `reload : failed.`)",
  ],
  [EXIT.NOT_RUNNING, "haconnd is not running (`HA connector service is not processing.`)"],
  [
    EXIT.WRONG_ROLE,
    "refused: the command runs on the other role (active only, or standby only) and this node is not it",
  ],
  [EXIT.INTERNAL, "a bug (`internal error`); please send the `haconndump` archive"],
  [
    EXIT.PIPE_CLOSED,
    "the reader closed the output pipe (e.g. piped into head); nothing printed on standard error, as coreutils do",
  ],
];

/** Every error code any path can produce, with its status. Unknown codes are FAILED. */
export const EXIT_BY_CODE: Readonly<Record<string, number>> = {
  // the CLI's own checks
  CLI_USAGE: EXIT.USAGE,
  CLI_NOT_FOUND: EXIT.USAGE,
  CLI_CONFLICT: EXIT.USAGE,
  CLI_INPUT: EXIT.FAILED,
  CLI_BMC_CHECK: EXIT.FAILED,
  CLI_DUMP: EXIT.FAILED,
  NOT_ROOT: EXIT.FAILED,
  // the configuration store
  CONFIG_INVALID: EXIT.USAGE,
  CONFIG_CORRUPT: EXIT.FAILED,
  CONFIG_VERSION: EXIT.FAILED,
  CONFIG_LOCKED: EXIT.FAILED,
  CONFIG_IO: EXIT.FAILED,
  CONFIG_TOO_LARGE: EXIT.FAILED,
  // haconnd's answers: the same cause gives the same status as the CLI's own check
  NOT_RUNNING: EXIT.NOT_RUNNING,
  NOT_ACTIVE: EXIT.WRONG_ROLE,
  NOT_STANDBY: EXIT.WRONG_ROLE,
  CONTROL_BAD_ARGS: EXIT.USAGE,
  BAD_ARGUMENT: EXIT.USAGE,
  BAD_TARGET: EXIT.USAGE,
  UNKNOWN_SERVER: EXIT.USAGE,
  UNKNOWN_PDU: EXIT.USAGE,
  NOT_REGISTERED: EXIT.USAGE,
  NO_OUTLETS: EXIT.USAGE,
  CONTROL_TIMEOUT: EXIT.FAILED,
  CONTROL_IO: EXIT.FAILED,
  CONTROL_UNKNOWN_OP: EXIT.FAILED,
};
