// How a command reaches haconnd: one function per call, bound to the control socket of this
// node. Swapping the wire implementation is the one import below.
import { type CliIo, controlSocketPath } from "../io.js";
import { controlCall } from "./control-client.js";

export type DaemonCall = (op: string, args?: Record<string, unknown>, timeoutMs?: number) => Promise<unknown>;

/** Displays answer at once; operations may run for minutes (an ipdusd test waits its off times). */
export const DISPLAY_TIMEOUT_MS = 30_000;
export const OPERATION_TIMEOUT_MS = 10 * 60_000;
/** A dump's state snapshot may hold the standby's logs. */
export const DUMP_MAX_LINE = 256 * 1024 * 1024;

export function daemonFor(io: CliIo): DaemonCall {
  const path = controlSocketPath(io.env);
  return (op, args = {}, timeoutMs = DISPLAY_TIMEOUT_MS) =>
    controlCall(path, op, args, { timeoutMs, maxLine: op === "dumpState" ? DUMP_MAX_LINE : undefined });
}
