import { nodeIo } from "../node-io.js";
import { main } from "../show/program.js";

process.exitCode = await main(process.argv.slice(2), nodeIo());
