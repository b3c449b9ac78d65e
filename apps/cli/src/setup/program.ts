// haconnsetup: the manual's setup commands (§6.2-6.5) over the configuration store.
import { ConfigStore } from "@haconn/config";
import type { Command } from "commander";
import { checkBmcWithIpmitool } from "../bmc-check.js";
import { type CliIo, etcDir } from "../io.js";
import { rootCommand, runProgram } from "../run-program.js";
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

/** Only in the help of the commands that read a password (or the community). */
export const PASSWORD_HELP = `
The password is never an argument. On a terminal it is prompted ("password :") without echo;
when standard input is not a terminal, its first line is read, e.g.
  printf '%s\\n' "$PW" | haconnsetup pserver add PSERVER1 addr=127.0.0.11 account=admin`;

const COMMUNITY_HELP = `
Without name=, the community is prompted ("community :") without echo, or read from the first
line of standard input when it is not a terminal (so it never appears in argv or clilog).`;

export const SETUP_HELP = `
Addresses of BMCs, PDUs and ESXi hosts may carry a port: <ip>:<port> (defaults 623, 161, 22).
The configuration is $HACONN_ETC_DIR/haconn.json (default /etc/opt/hitachi/haconn2).
haconnsetup only writes the file: a running haconnd uses it after "haconnact reload" on the
active connector, or after a restart of both connectors for what reload cannot apply (resetpath,
mserver add/del, iLO settings, mlan, hispeed, snmp, kdump; manual §5.7, §8.5). A confirmation
line saying which goes to standard error, so standard output stays empty for scripts.`;

type Action = (ctx: SetupContext, ...args: never[]) => Promise<void>;

/** The setup commands that prompt for a secret, and the help paragraph they show. */
const SECRET_HELP: Record<string, string> = {
  "mserver add": PASSWORD_HELP,
  "mserver mod": `${PASSWORD_HELP}\n(only when account= is given)`,
  "pserver add": PASSWORD_HELP,
  "pserver mod": `${PASSWORD_HELP}\n(only when account= is given)`,
  vserver: `${PASSWORD_HELP}\n(only when account= is given)`,
  snmp: COMMUNITY_HELP,
};

export function build(ctx: SetupContext, io: CliIo): Command {
  const program = rootCommand(
    "haconnsetup",
    "Set up the HA monitor connector configuration (writes the file only)",
    io,
  ).addHelpText("after", SETUP_HELP);
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
    const command = parent.command(name).description(summary).usage(usage);
    const path = parent === program ? name : `${parent.name()} ${name}`;
    const secret = SECRET_HELP[path];
    if (secret !== undefined) command.addHelpText("after", secret);
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

/** Changes a running haconnd takes with `haconnact reload` (manual §5.7 categories A-C). */
const RELOADABLE = new Set([
  "pserver add",
  "pserver mod",
  "pserver del",
  "pserver ipduadd",
  "pserver ipdudel",
  "vserver",
  "ipdu add",
  "ipdu del",
  "mserver ipduadd",
  "mserver ipdudel",
  "hamonitor",
]);

/** The confirmation line (stderr: the manual defines no output for haconnsetup). */
export function confirmation(ctx: SetupContext, argv: readonly string[]): string | undefined {
  if (ctx.note !== undefined) return `haconnsetup: ${ctx.note}`;
  if (ctx.saved === undefined) return undefined;
  if (!ctx.saved.changed) return `haconnsetup: no change: ${ctx.store.path} left as it was`;
  const words = argv.filter((a) => !a.startsWith("-"));
  const first = words[0] ?? "";
  const path = ["mserver", "pserver", "ipdu"].includes(first) ? `${first} ${words[1] ?? ""}` : first;
  const pduOnly = path === "mserver mod" && words.slice(3).every((w) => /^(ipdusd|timeout|check)=/i.test(w));
  const apply =
    RELOADABLE.has(path) || pduOnly
      ? 'a running haconnd uses it after "haconnact reload" on the active connector'
      : "a running haconnd uses it after a restart of both connectors (manual §8.5)";
  return `haconnsetup: saved ${ctx.store.path}; ${apply}`;
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const ctx: SetupContext = {
    io,
    store: new ConfigStore(etcDir(io.env)),
    checkBmc: io.checkBmc ?? checkBmcWithIpmitool,
    secret: (label) => readSecret(io.stdin, io.stdout, label),
  };
  const code = await runProgram("haconnsetup", () => build(ctx, io), argv, io);
  const line = code === 0 ? confirmation(ctx, argv) : undefined;
  if (line !== undefined) io.stderr.write(`${line}\n`);
  return code;
}
