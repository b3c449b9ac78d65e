import { runCommand } from "../entry.js";
import { nodeIo } from "../node-io.js";
import { mainSby } from "../ops/pair.js";

process.exitCode = await runCommand("haconnsby", mainSby, process.argv.slice(2), nodeIo());
