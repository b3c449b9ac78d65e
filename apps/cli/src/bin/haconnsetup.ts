import { runCommand } from "../entry.js";
import { nodeIo } from "../node-io.js";
import { main } from "../setup/program.js";

process.exitCode = await runCommand("haconnsetup", main, process.argv.slice(2), nodeIo());
