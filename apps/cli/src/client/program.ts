// haconnclient: the reset path from the command line, on @haconn/client. Not a management-server
// command: it runs as any user (an HA monitor's, a fence agent's) and writes no clilog.
import { HaconnClient, isClientError, loadKeyFile } from "@haconn/client";
import { type CommandIo, runClientCommand } from "./commands.js";
import { EXIT, exitForError } from "./exit-codes.js";
import { parseCommandLine } from "./options.js";
import { USAGE } from "./usage.js";

export interface ClientProgramIo extends CommandIo {
  /** Defaults to the real file check (tests point it elsewhere). */
  keyFileExists?: (path: string) => boolean;
}

export async function clientMain(argv: readonly string[], io: ClientProgramIo): Promise<number> {
  let client: HaconnClient | undefined;
  try {
    const parsed = parseCommandLine(argv, io.keyFileExists);
    if (parsed.help) {
      io.out(USAGE.trimEnd());
      return argv.length === 0 ? EXIT.USAGE : EXIT.OK;
    }
    const keys = parsed.keyFile === undefined ? undefined : loadKeyFile(parsed.keyFile);
    client = await HaconnClient.open({
      connector: parsed.connector,
      subsystem: parsed.subsystem,
      bind: parsed.bind,
      ...(keys ? { keys } : {}),
    });
    return await runClientCommand(parsed, client, io);
  } catch (error) {
    const code = exitForError(error);
    if (isClientError(error, "CLIENT_ABORTED")) return EXIT.INCOMPLETE;
    io.err(`haconnclient: ${error instanceof Error ? error.message : String(error)}`);
    if (code === EXIT.USAGE) io.err("haconnclient: see haconnclient --help");
    return code;
  } finally {
    client?.close();
  }
}
