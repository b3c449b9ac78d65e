// haconnserver (manual §6.10, active connector only): acrecovery, reset (software-reset test),
// ipdusd (PDU cut test of a managed server).
import type { Command } from "commander";
import { parseSettings, requireSetting } from "../args.js";
import { daemonFor } from "../daemon/daemon.js";
import { ipdusdTimeoutMs, parseIpdusdArgs, parseServerName, parseSubsystem } from "../daemon-args.js";
import type { CliIo } from "../io.js";
import { rootCommand, runProgram } from "../run-program.js";
import { addOperation } from "./operation.js";

const RESET_TIMEOUT_MS = 5 * 60_000;

export function build(io: CliIo, status: { code: number }): Command {
  const program = rootCommand(
    "haconnserver",
    "Managed-server operations and tests (active connector only)",
    io,
  );
  const call = daemonFor(io);
  addOperation(
    program,
    {
      name: "acrecovery",
      usage: "<server name>",
      summary: "Restore power on every PDU outlet feeding the managed server",
      args: ["<server name>"],
      request: (name: string) => ({
        op: "acrecovery",
        args: { name: parseServerName("<server name>", name) },
      }),
    },
    call,
    io,
    status,
  );
  addOperation(
    program,
    {
      name: "reset",
      usage: "<server name> address=<subsystem#>",
      summary: "Software-reset test of the system with that subsystem number (its HA monitor must run)",
      args: ["<server name>", "[settings...]"],
      request: (name: string, tokens: string[]) => {
        const server = parseServerName("<server name>", name);
        const address = parseSubsystem(
          "address",
          requireSetting(parseSettings(tokens, ["address"]), "address"),
        );
        return { op: "serverReset", args: { name: server, address }, timeoutMs: RESET_TIMEOUT_MS };
      },
    },
    call,
    io,
    status,
  );
  addOperation(
    program,
    {
      name: "ipdusd",
      usage: "<server name> mode=same|serial [addr=<IP addr>] [offtime=<5-60>] [wtime=<5-60>]",
      summary:
        "PDU cut test: same cuts every outlet at once (the server loses power), serial one outlet at a time " +
        "(addr= and wtime= serial only; offtime and wtime default 5 s)",
      args: ["<server name>", "[settings...]"],
      request: (name: string, tokens: string[]) => {
        const server = parseServerName("<server name>", name);
        const args = parseIpdusdArgs(tokens, { allowAddr: true, managementServer: false });
        return { op: "serverIpdusd", args: { name: server, ...args }, timeoutMs: ipdusdTimeoutMs(args) };
      },
    },
    call,
    io,
    status,
  );
  return program;
}

export function main(argv: readonly string[], io: CliIo): Promise<number> {
  return runProgram("haconnserver", (status) => build(io, status), argv, io);
}
