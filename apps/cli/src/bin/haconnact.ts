import { runBin } from "../entry.js";
import { mainAct } from "../ops/pair.js";

await runBin("haconnact", mainAct);
