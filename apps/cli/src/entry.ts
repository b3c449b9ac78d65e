// The common entry of every command (bin/*.ts): run the command's main, then record the
// operation in clilog.
import { writeCliLog } from "./clilog/clilog.js";
import type { CliIo } from "./io.js";

export type Main = (argv: readonly string[], io: CliIo) => Promise<number>;

export async function runCommand(
  command: string,
  main: Main,
  argv: readonly string[],
  io: CliIo,
): Promise<number> {
  const exitCode = await main(argv, io);
  await writeCliLog(io, { command, argv, exitCode });
  return exitCode;
}
