// The common entry of every command (bin/*.ts): run the command's main, then record the
// operation in clilog.
import { writeCliLog } from "./clilog/clilog.js";
import type { CliIo } from "./io.js";

export type Main = (argv: readonly string[], io: CliIo) => Promise<number>;

/** Exit status of a command run by another user than root (docs/operations.md §11.6: 2). */
export const NOT_ROOT_EXIT = 2;

export async function runCommand(
  command: string,
  main: Main,
  argv: readonly string[],
  io: CliIo,
): Promise<number> {
  // Every command runs as root (manual §5.1, §6): refuse anyone else before reading anything.
  // The process's real credentials decide, not io.user (which only names the user in clilog).
  const uid = process.getuid?.();
  if (uid !== undefined && uid !== 0) {
    io.stderr.write(`${command}: must be run as root\n`);
    return NOT_ROOT_EXIT;
  }
  const exitCode = await main(argv, io);
  await writeCliLog(io, { command, argv, exitCode });
  return exitCode;
}
