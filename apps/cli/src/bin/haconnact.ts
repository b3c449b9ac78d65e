import { runCommand } from "../entry.js";
import { nodeIo } from "../node-io.js";
import { mainAct } from "../ops/pair.js";

process.exitCode = await runCommand("haconnact", mainAct, process.argv.slice(2), nodeIo());
