import { clientMain } from "../client/program.js";

// SIGINT / SIGTERM end `listen` (exit 0) and a waiting call; a closed stdout (EPIPE) ends quietly.
const stop = new AbortController();
process.once("SIGINT", () => stop.abort());
process.once("SIGTERM", () => stop.abort());
process.stdout.on("error", () => process.exit(process.exitCode ?? 0));

process.exitCode = await clientMain(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  stop: stop.signal,
});
