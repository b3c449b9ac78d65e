// fence_haconn's typed errors. Exit statuses are fence-agents' (fencing.py): every failure is
// EC_GENERIC_ERROR (1); `status` of a node that is off is 2 (not an error).
import { HaconnError } from "@haconn/config";

export type FenceErrorCode =
  | "FENCE_USAGE" // malformed option, unknown action, missing required parameter
  | "FENCE_REFUSED" // an action fence_haconn does not do (off, on), with the configuration to use
  | "FENCE_NOT_REGISTERED" // this node has no live registration (ocf:haconn:monitor not running)
  | "FENCE_KEY" // the reset-path key file cannot be read or parsed
  | "FENCE_TARGET" // the target cannot be mapped to a haconn system and subsystem number
  | "FENCE_SILENT" // the connector did not answer within the bound
  | "FENCE_FAILED"; // the connector answered FAIL or ERROR

export class FenceError extends HaconnError {
  declare readonly code: FenceErrorCode;
  constructor(code: FenceErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
    this.name = "FenceError";
  }
}

/** fence-agents' exit codes (fencing.py EC_*). */
export const EC_OK = 0;
export const EC_GENERIC_ERROR = 1;
/** `status`: the plug is OFF (fence_action's result = 2). */
export const EC_STATUS_OFF = 2;
