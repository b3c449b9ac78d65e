import { runBin } from "../entry.js";
import { main } from "../setup/program.js";

await runBin("haconnsetup", main);
