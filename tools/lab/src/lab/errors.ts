// The lab's error catalog. The `lab` command prints the message and exits 1.
import { HaconnError, type HaconnErrorOptions } from "@haconn/config";

export type LabErrorCode =
  | "LAB_NOT_UP" // no running lab in the state directory
  | "LAB_NOT_BUILT" // tools/lab/dist or the product's dist/ is missing
  | "LAB_START_FAILED" // a simulator or haconnd did not come up
  | "LAB_SETUP_FAILED" // a haconnsetup command was refused
  | "LAB_BUSY" // another drill is running against this lab
  | "LAB_UNKNOWN_DRILL"
  | "LAB_USAGE";

export class LabError extends HaconnError {
  declare readonly code: LabErrorCode;

  constructor(code: LabErrorCode, message: string, options: HaconnErrorOptions = {}) {
    super(code, message, options);
    this.name = "LabError";
  }
}
