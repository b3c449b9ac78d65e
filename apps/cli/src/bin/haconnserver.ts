import { runCommand } from "../entry.js";
import { nodeIo } from "../node-io.js";
import { main } from "../ops/server.js";

process.exitCode = await runCommand("haconnserver", main, process.argv.slice(2), nodeIo());
