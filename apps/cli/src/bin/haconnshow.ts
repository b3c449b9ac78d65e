import { runCommand } from "../entry.js";
import { nodeIo } from "../node-io.js";
import { main } from "../show/program.js";

process.exitCode = await runCommand("haconnshow", main, process.argv.slice(2), nodeIo());
