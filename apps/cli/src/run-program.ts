// The one way a command's program runs (every haconn command, and the later haconnclient and
// fence_haconn): commander parses, the action runs, and any error becomes one message and one
// exit status (errors.ts, exit-codes.ts). With --json anywhere on the line, an error is printed
// as JSON on stdout ({"error":{"code":…,"message":…}}) and stderr stays empty. "haconnd is not
// running" is the manual's display, so it goes to stdout alone.
import { HaconnError } from "@haconn/config";
import { Command, CommanderError } from "commander";
import { versionLine } from "./build-info.js";
import { describeError, NOT_PROCESSING } from "./errors.js";
import { EXIT } from "./exit-codes.js";
import type { CliIo } from "./io.js";

/** Lets an action finish with a non-zero status after printing its own result (reload failed.). */
export interface ExitStatus {
  code: number;
}

/** A root command wired to the io's streams, throwing instead of exiting, with --version. */
export function rootCommand(name: string, description: string, io: CliIo): Command {
  return new Command(name)
    .description(description)
    .version(versionLine(name, io.env), "-V, --version", "print the package version and git commit")
    .helpOption("-h, --help", "print this help")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
}

/** The error as --json prints it: null-free, code and message only (never secrets). */
export function jsonError(code: string, message: string): string {
  return `${JSON.stringify({ error: { code, message } })}\n`;
}

export const wantsJson = (argv: readonly string[]) => argv.includes("--json");

function quietErrors(command: Command): void {
  command.configureOutput({ writeErr: () => undefined });
  for (const sub of command.commands) quietErrors(sub);
}

export async function runProgram(
  name: string,
  build: (status: ExitStatus) => Command,
  argv: readonly string[],
  io: CliIo,
): Promise<number> {
  const status: ExitStatus = { code: 0 };
  const json = wantsJson(argv);
  try {
    const program = build(status);
    // With --json, commander's own error lines stay off stderr: the JSON error says it.
    if (json) quietErrors(program);
    await program.parseAsync([...argv], { from: "user" });
    return status.code;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return EXIT.OK;
      // commander already wrote its message to stderr (unknown option, missing argument).
      if (json) io.stdout.write(jsonError("CLI_USAGE", error.message.replace(/^error: /, "")));
      return EXIT.USAGE;
    }
    const { message, exitCode, code } = describeError(error);
    const notRunning = HaconnError.isInstance(error) && error.code === "NOT_RUNNING";
    if (json) io.stdout.write(jsonError(code, notRunning ? NOT_PROCESSING : message));
    else if (notRunning) io.stdout.write(`${NOT_PROCESSING}\n`);
    else io.stderr.write(`${name}: ${message}\n`);
    return exitCode;
  }
}
