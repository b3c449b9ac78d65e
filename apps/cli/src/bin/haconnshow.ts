import { runBin } from "../entry.js";
import { main } from "../show/program.js";

await runBin("haconnshow", main);
