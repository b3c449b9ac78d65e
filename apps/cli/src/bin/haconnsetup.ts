import { main } from "../setup/program.js";
import { nodeIo } from "../node-io.js";

process.exitCode = await main(process.argv.slice(2), nodeIo());
