// haconnact (manual §6.8: copy, reload, restart, shutdown, ipdusd of the active's PDUs) and
// haconnsby (§6.9: restart, shutdown, ipdusd of the standby's PDUs). haconnd refuses on the
// standby what the manual's table forbids (NOT_ACTIVE, exit 4).
import type { Command } from "commander";
import { daemonFor } from "../daemon/daemon.js";
import { asObject, type ReloadResult } from "../daemon/results.js";
import { ipdusdTimeoutMs, parseIpdusdArgs } from "../daemon-args.js";
import type { CliIo } from "../io.js";
import { type ExitStatus, rootCommand, runProgram } from "../run-program.js";
import { addOperation, messageText, type OperationSpec } from "./operation.js";
import { formatReloadSummary } from "./reload-summary.js";

const PAIR_TIMEOUT_MS = 5 * 60_000;

const simple = (name: string, op: string, summary: string): OperationSpec => ({
  name,
  usage: "",
  summary,
  args: [],
  request: () => ({ op, args: {}, timeoutMs: PAIR_TIMEOUT_MS }),
});

const ipdusd = (op: string, summary: string): OperationSpec => ({
  name: "ipdusd",
  usage: "mode=same|serial [offtime=<5-60>] [wtime=<5-60>]",
  summary: `${summary}; serial needs offtime=30-60, wtime= is serial only (default 5 s)`,
  args: ["[settings...]"],
  request: (tokens: string[]) => {
    const args = parseIpdusdArgs(tokens, { allowAddr: false, managementServer: true });
    return { op, args: { ...args }, timeoutMs: ipdusdTimeoutMs(args) };
  },
});

const reload: OperationSpec = {
  ...simple(
    "reload",
    "act.reload",
    "Apply the changed configuration without stopping, then copy it to the standby and restart it",
  ),
  text: (result) => {
    const { summary } = asObject<ReloadResult>(result);
    return summary ? formatReloadSummary(summary) : messageText(result);
  },
  exitCode: (result) => (asObject<ReloadResult>(result).summary?.completed === false ? 2 : 0),
};

export function buildAct(io: CliIo, status: ExitStatus): Command {
  const program = rootCommand("haconnact", "Operations of the active (primary) connector", io);
  const call = daemonFor(io);
  for (const spec of [
    simple("copy", "act.copy", "Copy the management-server, managed-server and PDU settings to the standby"),
    reload,
    simple("restart", "act.restart", "Hand over to the standby, then restart this connector as the standby"),
    simple("shutdown", "act.shutdown", "Stop the connector: the active and the standby"),
    ipdusd("act.ipdusd", "PDU cut test of the active management server, run and logged by the standby"),
  ]) {
    addOperation(program, spec, call, io, status);
  }
  return program;
}

export function buildSby(io: CliIo, status: ExitStatus): Command {
  const program = rootCommand("haconnsby", "Operations of the standby connector", io);
  const call = daemonFor(io);
  for (const spec of [
    simple(
      "restart",
      "sby.restart",
      "Restart the standby connector (from either node; on the standby when the link is down)",
    ),
    simple("shutdown", "sby.shutdown", "Stop the standby connector (from either node)"),
    ipdusd(
      "sby.ipdusd",
      "PDU cut test of the standby management server, run and logged by the active (link must be OK)",
    ),
  ]) {
    addOperation(program, spec, call, io, status);
  }
  return program;
}

export function mainAct(argv: readonly string[], io: CliIo): Promise<number> {
  return runProgram("haconnact", (status) => buildAct(io, status), argv, io);
}

export function mainSby(argv: readonly string[], io: CliIo): Promise<number> {
  return runProgram("haconnsby", (status) => buildSby(io, status), argv, io);
}
