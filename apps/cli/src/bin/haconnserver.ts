import { runBin } from "../entry.js";
import { main } from "../ops/server.js";

await runBin("haconnserver", main);
