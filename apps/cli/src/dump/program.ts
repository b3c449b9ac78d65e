// haconndump (manual §6.7): collect this node's logs, configuration (no secrets) and haconnd's
// state into one archive in the log directory.
import type { Command } from "commander";
import { controlCall } from "../daemon/control-client.js";
import { DUMP_MAX_LINE, daemonFor } from "../daemon/daemon.js";
import { type CliIo, controlSocketPath, etcDir, logDir } from "../io.js";
import { rootCommand, runProgram } from "../run-program.js";
import { askState, collectDump } from "./collect.js";
import { askPeerLogs } from "./peer-logs.js";

const DUMP_STATE_TIMEOUT_MS = 120_000;
/** haconnd gives the peer 90 s to pack and send its logs. */
const PEER_LOGS_TIMEOUT_MS = 120_000;

const HELP = `
Writes $HACONN_LOG_DIR/HaConnectorDump.<YYYYMMDDhhmmss>.tar.gz (default log directory
/var/opt/hitachi/haconn2/log, archive mode 0600) holding every log file of the directory,
the configuration of $HACONN_ETC_DIR with every password and the SNMP community blanked,
haconnd's state snapshot, and the other connector's event logs (in peer/<node>/), which
haconnd fetches over the duplex link.
Files that are missing are listed on stdout and in MISSING.txt; the collection still succeeds.
Run it on the standby too when the standby or the link between the connectors is abnormal.`;

export function build(io: CliIo): Command {
  const program = rootCommand("haconndump", "Collect the connector's logs into one archive", io)
    .addHelpText("after", HELP)
    .action(async () => {
      const call = daemonFor(io);
      const report = await collectDump({
        logDir: logDir(io.env),
        etcDir: etcDir(io.env),
        now: io.now?.() ?? new Date(),
        state: () => askState(() => call("dumpState", {}, DUMP_STATE_TIMEOUT_MS)),
        peerLogs: () =>
          askPeerLogs(() =>
            controlCall(
              controlSocketPath(io.env),
              "collectPeerLogs",
              {},
              { timeoutMs: PEER_LOGS_TIMEOUT_MS, maxLine: DUMP_MAX_LINE },
            ),
          ),
      });
      if (report.missing.length > 0) {
        io.stdout.write("haconndump: these files were not collected:\n");
        for (const m of report.missing) io.stdout.write(`  ${m}\n`);
      }
      io.stdout.write(`haconndump: collected ${report.files.length} files into ${report.archive}\n`);
    });
  return program;
}

export function main(argv: readonly string[], io: CliIo): Promise<number> {
  return runProgram("haconndump", () => build(io), argv, io);
}
