import { runBin } from "../entry.js";
import { mainSby } from "../ops/pair.js";

await runBin("haconnsby", mainSby);
