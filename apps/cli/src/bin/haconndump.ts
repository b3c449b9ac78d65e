import { runBin } from "../entry.js";
import { main } from "../dump/program.js";

await runBin("haconndump", main);
