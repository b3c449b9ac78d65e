import { clientMain } from "../client/program.js";
import { guardPipes } from "../entry.js";
import { EXIT as COMMAND_EXIT } from "../exit-codes.js";

const EXIT_PIPE_CLOSED = COMMAND_EXIT.PIPE_CLOSED;

// SIGINT / SIGTERM end `listen` (exit 0) and a waiting call; a closed stdout (EPIPE) ends quietly.
const stop = new AbortController();
process.once("SIGINT", () => stop.abort());
process.once("SIGTERM", () => stop.abort());
// As every haconn command (entry.ts guardPipes): exit 141, nothing more written.
guardPipes([process.stdout, process.stderr], () => process.exit(EXIT_PIPE_CLOSED));

process.exitCode = await clientMain(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  stop: stop.signal,
});
