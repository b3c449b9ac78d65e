// haconnsetup: the manual's setup commands (§6.2-6.5) over the configuration store.
import { ConfigStore } from "@haconn/config";
import { Command, CommanderError } from "commander";
import { checkBmcWithIpmitool } from "../bmc-check.js";
import { describeError } from "../errors.js";
import { type CliIo, etcDir } from "../io.js";
import { readSecret } from "../secret-input.js";
import type { SetupContext } from "./context.js";
import { hamonitorAllow } from "./monitor-commands.js";
import { hispeed, kdump, resetpath } from "./path-commands.js";
import { ipduAdd, ipduDel, ipduLinkAdd, ipduLinkDel, snmp } from "./pdu-commands.js";
import {
  mlan,
  mserverAdd,
  mserverDel,
  mserverMod,
  pserverAdd,
  pserverDel,
  pserverMod,
  vserver,
} from "./server-commands.js";

const PASSWORD_HELP = `
The password is never an argument. On a terminal it is prompted ("password :") without echo;
when standard input is not a terminal, its first line is read, e.g.
  printf '%s\\n' "$PW" | haconnsetup pserver add PSERVER1 addr=127.0.0.11 account=admin
Addresses of BMCs and PDUs may carry a port: <ip>:<port> (defaults 623 and 161).
The configuration is $HACONN_ETC_DIR/haconn.json (default /etc/opt/hitachi/haconn2).`;

type Action = (ctx: SetupContext, ...args: never[]) => Promise<void>;

function build(ctx: SetupContext, io: CliIo): Command {
  const program = new Command("haconnsetup")
    .description("Set up the HA monitor connector configuration (writes the file only)")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .addHelpText("after", PASSWORD_HELP);
  const run =
    (action: Action) =>
    async (...args: unknown[]) => {
      const values = args.slice(0, -2); // commander appends (options, command)
      await (action as (ctx: SetupContext, ...a: unknown[]) => Promise<void>)(ctx, ...values);
    };
  const leaf = (
    parent: Command,
    name: string,
    args: string,
    usage: string,
    summary: string,
    action: Action,
  ) => {
    const command = parent
      .command(name)
      .description(summary)
      .usage(usage)
      .addHelpText("after", PASSWORD_HELP);
    for (const arg of args.split(" ").filter(Boolean)) command.argument(arg);
    command.action(run(action));
  };

  leaf(
    program,
    "resetpath",
    "[settings...]",
    "[addr=<IP addr>/<subnetmask>] [port=<5001-65535>] [insecure=on|off] [key=new]",
    "Reset-path virtual IP, mask and port; creates resetpath.key the first time (insecure=on: no key, unauthenticated)",
    (c, t: string[]) => resetpath(c, t),
  );
  leaf(
    program,
    "kdump",
    "[settings...]",
    "port=<1-65535> | on | off",
    "fence_kdump listener (UDP, on = port 7410); off unless configured",
    (c, t: string[]) => kdump(c, t),
  );
  leaf(
    program,
    "hamonitor",
    "<name> [settings...]",
    "<name> allow=<IP addr>[,<IP addr>...] | allow=any",
    "Source addresses a managed server's HA monitors may use (default: any)",
    hamonitorAllow,
  );
  const mserver = program
    .command("mserver")
    .description("Management servers (add, mod, del, ipduadd, ipdudel)");
  const mkeys =
    "addr=<IP addr>[:<port>] account=<account> [ipdusd=on|off] [timeout=<5-60>] [cipher=<0-17>] [check=on|off]";
  leaf(
    mserver,
    "add",
    "<name> [settings...]",
    `<name> ${mkeys}`,
    "Register a management server (checks its iLO unless check=off)",
    mserverAdd,
  );
  leaf(
    mserver,
    "mod",
    "<name> [settings...]",
    "<name> [addr=] [account=] [ipdusd=on|off] [timeout=] [cipher=] [check=on|off]",
    "Change a management server (prompts for the password only with account=)",
    mserverMod,
  );
  leaf(
    mserver,
    "del",
    "<name> [settings...]",
    "<name>",
    "Delete a management server with its duplex LAN and PDU links",
    mserverDel,
  );
  leaf(
    mserver,
    "ipduadd",
    "<name> [settings...]",
    "<name> addr=<PDU IP>[:<port>] concent=<1-12>",
    "Link a PDU outlet feeding the management server (at most 2)",
    (c, n: string, t: string[]) => ipduLinkAdd(c, "mserver", n, t),
  );
  leaf(
    mserver,
    "ipdudel",
    "<name> [settings...]",
    "<name> [addr=<PDU IP> concent=<n>]",
    "Delete one PDU link, or all of them",
    (c, n: string, t: string[]) => ipduLinkDel(c, "mserver", n, t),
  );
  leaf(
    program,
    "mlan",
    "<name> [settings...]",
    "<name> [addr=<IP addr>] [port=<5001-65535>]",
    "Duplex-LAN address and port of a management server",
    mlan,
  );
  const pserver = program.command("pserver").description("Managed servers (add, mod, del, ipduadd, ipdudel)");
  const pkeys = "[cluster=on|off] [ipdusd=on|off] [timeout=<5-60>] [recoverytime=<0|5-60>] [cipher=<0-17>]";
  leaf(
    pserver,
    "add",
    "<name> [settings...]",
    `<name> addr=<IP addr>[:<port>] account=<account> ${pkeys}`,
    "Register a managed server",
    pserverAdd,
  );
  leaf(
    pserver,
    "mod",
    "<name> [settings...]",
    `<name> [name=<new name>] [addr=] [account=] ${pkeys}`,
    "Change a managed server (prompts for the password only with account=)",
    pserverMod,
  );
  leaf(
    pserver,
    "del",
    "<name> [settings...]",
    "<name>",
    "Delete a managed server with its vserver settings and PDU links",
    pserverDel,
  );
  leaf(
    pserver,
    "ipduadd",
    "<name> [settings...]",
    "<name> addr=<PDU IP>[:<port>] concent=<1-12>",
    "Link a PDU outlet feeding the managed server (at most 4)",
    (c, n: string, t: string[]) => ipduLinkAdd(c, "pserver", n, t),
  );
  leaf(
    pserver,
    "ipdudel",
    "<name> [settings...]",
    "<name> [addr=<PDU IP> concent=<n>]",
    "Delete one PDU link, or all of them",
    (c, n: string, t: string[]) => ipduLinkDel(c, "pserver", n, t),
  );
  leaf(
    program,
    "vserver",
    "<name> [settings...]",
    "<name> [addr=<ESXi IP>] [port=<ssh port>] [account=<account>] [VMware=Enable|Disable] [hostkey=SHA256:<fingerprint>|none]",
    "ESXi settings of a managed server",
    vserver,
  );
  const ipdu = program.command("ipdu").description("PDUs (add, del)");
  leaf(
    ipdu,
    "add",
    "<addr> [settings...]",
    "<IP addr>[:<port>] model=IBM_PDU [profile=<name>]",
    "Register a PDU",
    ipduAdd,
  );
  leaf(
    ipdu,
    "del",
    "<addr> [settings...]",
    "<IP addr>[:<port>] | '*'",
    "Delete a PDU, or all with * (refused while a server still links to it)",
    ipduDel,
  );
  leaf(
    program,
    "snmp",
    "[settings...]",
    "[name=<community>]",
    "SNMP v2c community of every PDU (prompted or read from stdin without name=)",
    (c, t: string[]) => snmp(c, t),
  );
  leaf(
    program,
    "hispeed",
    "[settings...]",
    "resettime=<1000-5000> | off",
    "Hardware-reset issue time in ms (steps of 100), or off (5000 ms)",
    (c, t: string[]) => hispeed(c, t),
  );
  return program;
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const ctx: SetupContext = {
    io,
    store: new ConfigStore(etcDir(io.env)),
    checkBmc: io.checkBmc ?? checkBmcWithIpmitool,
    secret: (label) => readSecret(io.stdin, io.stdout, label),
  };
  try {
    await build(ctx, io).parseAsync([...argv], { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 1;
    const { message, exitCode } = describeError(error);
    io.stderr.write(`haconnsetup: ${message}\n`);
    return exitCode;
  }
}
