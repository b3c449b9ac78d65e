// haconnshow: the setting displays (manual §6.6.1-6.6.3) and the version (§10). The status
// displays (status, hamonitor, ipdu) need the daemon and come with it.
import { ConfigStore, type HaconnConfig } from "@haconn/config";
import { Command, CommanderError } from "commander";
import { describeError } from "../errors.js";
import { type CliIo, etcDir } from "../io.js";
import { formatIpduSetting, ipduSettingJson } from "./ipdu-setting.js";
import { formatMserverSetting, mserverSettingJson } from "./mserver-setting.js";
import { formatSetting, settingJson } from "./setting.js";
import { osKind, versionString } from "./version.js";

function build(io: CliIo): Command {
  const program = new Command("haconnshow")
    .description("Show the HA monitor connector settings and version")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  const store = () => new ConfigStore(etcDir(io.env));
  const display = (
    name: string,
    summary: string,
    text: (c: HaconnConfig) => string,
    json: (c: HaconnConfig) => unknown,
  ) =>
    program
      .command(name)
      .description(summary)
      .option("--json", "print JSON instead of the manual's layout (secrets omitted)")
      .action(async (options: { json?: boolean }) => {
        const config = await store().read();
        io.stdout.write(options.json ? `${JSON.stringify(json(config), null, 2)}\n` : text(config));
      });
  display("setting", "Reset path, managed servers, ESXi settings, hispeed", formatSetting, settingJson);
  display("mserversetting", "Management servers and duplex LAN", formatMserverSetting, mserverSettingJson);
  display(
    "ipdusetting",
    "SNMP community (masked), PDUs and outlet links",
    formatIpduSetting,
    ipduSettingJson,
  );
  program
    .command("version")
    .description("Connector version [OS kind].[major].[minor].[n].[m] (OS kind 3/4/5 = RHEL7/8/9, 0 = other)")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }) => {
      const kind = osKind(await io.readOsRelease?.());
      const version = versionString(kind);
      io.stdout.write(options.json ? `${JSON.stringify({ version, osKind: kind })}\n` : `${version}\n`);
    });
  return program;
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    await build(io).parseAsync([...argv], { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 1;
    const { message, exitCode } = describeError(error);
    io.stderr.write(`haconnshow: ${message}\n`);
    return exitCode;
  }
}
