// What the act/sby/server commands share: a leaf command that validates its arguments, sends
// one op to haconnd and prints the answer (its message, or --json).
import type { Command } from "commander";
import { type DaemonCall, OPERATION_TIMEOUT_MS } from "../daemon/daemon.js";
import { asObject, type OperationResult } from "../daemon/results.js";
import type { CliIo } from "../io.js";
import { jsonText } from "../json.js";
import type { ExitStatus } from "../run-program.js";

export const DAEMON_HELP = `
Sends the request to haconnd on this node ($HACONN_RUN_DIR/haconnd.sock, default /run/haconn2).
Exit status: 0 done, 1 bad arguments (nothing sent), 2 failed, 3 haconnd not running,
4 refused on this node's role, 70 internal error, 141 output pipe closed (docs/operations.md §14).`;

export interface Request {
  op: string;
  args: Record<string, unknown>;
  timeoutMs?: number;
}

export interface OperationSpec {
  name: string;
  /** The manual's syntax after the command name. */
  usage: string;
  summary: string;
  /** Positional arguments for commander, e.g. "<server name>", "[settings...]". */
  args: string[];
  /** Validates and builds the request; runs before anything is sent. */
  request: (...values: never[]) => Request;
  /** The text for a successful answer; default: its message. */
  text?: (result: unknown) => string;
  /** The exit status for a successful answer (reload failed. is 2); default 0. */
  exitCode?: (result: unknown) => number;
}

export function messageText(result: unknown): string {
  const { message } = asObject<OperationResult>(result);
  return `${typeof message === "string" && message !== "" ? message : "done."}\n`;
}

export function addOperation(
  parent: Command,
  spec: OperationSpec,
  call: DaemonCall,
  io: CliIo,
  status: ExitStatus,
): void {
  const command = parent
    .command(spec.name)
    .description(spec.summary)
    .option("--json", "print haconnd's answer as JSON")
    .addHelpText("after", DAEMON_HELP);
  if (spec.usage !== "") command.usage(spec.usage);
  for (const arg of spec.args) command.argument(arg);
  command.action(async (...values: unknown[]) => {
    const options = values.at(-2) as { json?: boolean };
    const request = (spec.request as (...v: unknown[]) => Request)(...values.slice(0, -2));
    const result = await call(request.op, request.args, request.timeoutMs ?? OPERATION_TIMEOUT_MS);
    io.stdout.write(options.json ? jsonText(result) : (spec.text ?? messageText)(result));
    status.code = spec.exitCode?.(result) ?? 0;
  });
}
