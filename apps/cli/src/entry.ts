// The common entry of every command (bin/*.ts): refuse non-root users (but not --help and
// --version, which read nothing), run the command's main, record the operation in clilog, and
// stop quietly when the reader closes the output pipe (`| head`), as coreutils do.
import { writeCliLog } from "./clilog/clilog.js";
import { EXIT } from "./exit-codes.js";
import type { CliIo } from "./io.js";
import { nodeIo } from "./node-io.js";

export type Main = (argv: readonly string[], io: CliIo) => Promise<number>;

/** Exit status of a command run by another user than root (docs/operations.md: 2). */
export const NOT_ROOT_EXIT = EXIT.FAILED;

/** --help, -h, --version, -V (or `help`) before any other word: allowed for every user. */
export function onlyAsksForHelp(argv: readonly string[]): boolean {
  return (
    argv.some((a) => a === "--help" || a === "-h" || a === "--version" || a === "-V") || argv[0] === "help"
  );
}

export async function runCommand(
  command: string,
  main: Main,
  argv: readonly string[],
  io: CliIo,
): Promise<number> {
  // Every command runs as root (manual §5.1, §6): refuse anyone else before reading anything.
  // The process's real credentials decide, not io.user (which only names the user in clilog).
  const uid = process.getuid?.();
  const helpOnly = onlyAsksForHelp(argv);
  if (uid !== undefined && uid !== 0 && !helpOnly) {
    io.stderr.write(`${command}: must be run as root\n`);
    return NOT_ROOT_EXIT;
  }
  const exitCode = await main(argv, io);
  if (!helpOnly) await writeCliLog(io, { command, argv, exitCode });
  return exitCode;
}

interface GuardedStream {
  on(event: "error", listener: (error: NodeJS.ErrnoException) => void): unknown;
}

/**
 * Makes a closed pipe on stdout or stderr end the command quietly with EXIT.PIPE_CLOSED (no
 * stack trace, nothing more written). Returns whether a pipe closed, for the final status.
 */
export function guardPipes(streams: readonly GuardedStream[], onClosed: () => void): void {
  for (const stream of streams) {
    stream.on("error", (error) => {
      if (error.code === "EPIPE" || error.code === "ERR_STREAM_DESTROYED") {
        onClosed();
        return;
      }
      throw error;
    });
  }
}

/** What bin/<command>.ts runs: the real process's io, EPIPE handled, the exit status set. */
export async function runBin(command: string, main: Main): Promise<void> {
  let pipeClosed = false;
  const closed = () => {
    pipeClosed = true;
    process.exitCode = EXIT.PIPE_CLOSED;
  };
  guardPipes([process.stdout, process.stderr], closed);
  const io = nodeIo();
  const quiet = (stream: NodeJS.WriteStream) => ({
    write: (text: string) => (pipeClosed || stream.destroyed ? true : stream.write(text)),
  });
  const code = await runCommand(command, main, process.argv.slice(2), {
    ...io,
    stdout: quiet(process.stdout),
    stderr: quiet(process.stderr),
  });
  process.exitCode = pipeClosed ? EXIT.PIPE_CLOSED : code;
}
