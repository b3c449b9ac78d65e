// The commands' commander trees, built with a capturing io: the one source of --help and of the
// man pages (gen-man.ts), so the two cannot drift.
import { ConfigStore } from "@haconn/config";
import type { Command } from "commander";
import { build as buildDump } from "../dump/program.js";
import type { CliIo } from "../io.js";
import { buildAct, buildSby } from "../ops/pair.js";
import { build as buildServer } from "../ops/server.js";
import { build as buildSetup } from "../setup/program.js";
import { build as buildShow } from "../show/program.js";

export const COMMAND_NAMES = [
  "haconnsetup",
  "haconnshow",
  "haconnact",
  "haconnsby",
  "haconnserver",
  "haconndump",
] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

/** A program whose output (help text) goes to `sink`. Nothing is read or run. */
export function buildProgram(
  name: CommandName,
  sink: (text: string) => void,
  env: CliIo["env"] = {},
): Command {
  const io: CliIo = {
    stdin: process.stdin,
    stdout: { write: sink },
    stderr: { write: sink },
    env,
  };
  const status = { code: 0 };
  switch (name) {
    case "haconnsetup":
      return buildSetup(
        { io, store: new ConfigStore("/nonexistent"), checkBmc: async () => {}, secret: async () => "" },
        io,
      );
    case "haconnshow":
      return buildShow(io);
    case "haconnact":
      return buildAct(io, status);
    case "haconnsby":
      return buildSby(io, status);
    case "haconnserver":
      return buildServer(io, status);
    case "haconndump":
      return buildDump(io);
  }
}

/** The help text of a command or subcommand path, exactly as `--help` prints it. */
export function helpText(command: Command): string {
  let text = "";
  const original = command.configureOutput();
  command.configureOutput({ ...original, writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
  command.outputHelp();
  command.configureOutput(original);
  return text;
}

/** Every command of the tree below `root` that runs something (leaves), with its words. */
export function leaves(root: Command, path: string[] = []): { path: string[]; command: Command }[] {
  return root.commands.flatMap((c) =>
    c.commands.length > 0 ? leaves(c, [...path, c.name()]) : [{ path: [...path, c.name()], command: c }],
  );
}
