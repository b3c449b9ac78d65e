// The one way a command's program runs: commander parses, the action runs, and any error
// becomes a message and an exit status (errors.ts). "haconnd is not running" is the manual's
// display, so it goes to stdout alone.
import { HaconnError } from "@haconn/config";
import { Command, CommanderError } from "commander";
import { describeError, NOT_PROCESSING } from "./errors.js";
import type { CliIo } from "./io.js";

/** Lets an action finish with a non-zero status after printing its own result (reload failed.). */
export interface ExitStatus {
  code: number;
}

/** A root command wired to the io's streams, throwing instead of exiting. */
export function rootCommand(name: string, description: string, io: CliIo): Command {
  return new Command(name)
    .description(description)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
}

export async function runProgram(
  name: string,
  build: (status: ExitStatus) => Command,
  argv: readonly string[],
  io: CliIo,
): Promise<number> {
  const status: ExitStatus = { code: 0 };
  try {
    await build(status).parseAsync([...argv], { from: "user" });
    return status.code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 1;
    const { message, exitCode } = describeError(error);
    if (HaconnError.isInstance(error) && error.code === "NOT_RUNNING") io.stdout.write(`${NOT_PROCESSING}\n`);
    else io.stderr.write(`${name}: ${message}\n`);
    return exitCode;
  }
}
