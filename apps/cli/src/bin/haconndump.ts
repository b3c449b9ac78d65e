import { runCommand } from "../entry.js";
import { nodeIo } from "../node-io.js";
import { main } from "../dump/program.js";

process.exitCode = await runCommand("haconndump", main, process.argv.slice(2), nodeIo());
