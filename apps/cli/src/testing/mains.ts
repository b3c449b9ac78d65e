// Every command's program entry by name, for tests that run them in-process.
import { main as dump } from "../dump/program.js";
import { mainAct, mainSby } from "../ops/pair.js";
import { main as server } from "../ops/server.js";
import { main as setup } from "../setup/program.js";
import { main as show } from "../show/program.js";
import type { Main } from "./run.js";

export type CommandName =
  | "haconnsetup"
  | "haconnshow"
  | "haconnact"
  | "haconnsby"
  | "haconnserver"
  | "haconndump";

export const MAINS: Readonly<Record<CommandName, Main>> = {
  haconnsetup: setup,
  haconnshow: show,
  haconnact: mainAct,
  haconnsby: mainSby,
  haconnserver: server,
  haconndump: dump,
};
