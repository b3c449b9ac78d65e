// haconnshow: the setting displays (manual §6.6.1-6.6.3, from the configuration file), the
// status displays (§6.6.4-6.6.6, from haconnd) and the version (§6.6.7).
import { ConfigStore, type HaconnConfig, pduKey } from "@haconn/config";
import type { Command } from "commander";
import { parseDeviceAddress, parseSettings } from "../args.js";
import { daemonFor } from "../daemon/daemon.js";
import { asObject } from "../daemon/results.js";
import { parseServerName } from "../daemon-args.js";
import { usage } from "../errors.js";
import { withNulls } from "../json.js";
import { type CliIo, etcDir } from "../io.js";
import { rootCommand, runProgram } from "../run-program.js";
import { formatHamonitor } from "./hamonitor.js";
import { formatIpduSetting, ipduSettingJson } from "./ipdu-setting.js";
import { formatIpduStatus } from "./ipdu-status.js";
import { formatMserverSetting, mserverSettingJson } from "./mserver-setting.js";
import { formatSetting, settingJson } from "./setting.js";
import { formatStatus } from "./status.js";
import { formatVersion, osKind, readVersionFile, versionString } from "./version.js";

const DAEMON_HELP = `
Needs haconnd on this node; prints "HA connector service is not processing." (exit 3) when it
is not running. On the standby the display holds no valid information (manual §6.1).
The control socket is $HACONN_RUN_DIR/haconnd.sock (default /run/haconn2).`;

const json = (value: unknown) => `${JSON.stringify(withNulls(value), null, 2)}\n`;

export function build(io: CliIo): Command {
  const program = rootCommand("haconnshow", "Show the HA monitor connector settings, status and version", io);
  const store = () => new ConfigStore(etcDir(io.env));
  const display = (
    name: string,
    summary: string,
    text: (c: HaconnConfig, etc: string) => string,
    toJson: (c: HaconnConfig, etc: string) => unknown,
  ) =>
    program
      .command(name)
      .description(summary)
      .option("--json", "print JSON instead of the manual's layout (secrets omitted)")
      .action(async (options: { json?: boolean }) => {
        const s = store();
        const config = await s.read();
        io.stdout.write(options.json ? json(toJson(config, s.dir)) : text(config, s.dir));
      });
  display("setting", "Reset path, managed servers, ESXi settings, hispeed", formatSetting, settingJson);
  display("mserversetting", "Management servers and duplex LAN", formatMserverSetting, mserverSettingJson);
  display(
    "ipdusetting",
    "SNMP community (masked), PDUs and outlet links",
    formatIpduSetting,
    ipduSettingJson,
  );

  const call = daemonFor(io);
  const status = <T>(
    name: string,
    usage: string,
    summary: string,
    args: (tokens: string[]) => Record<string, unknown>,
    text: (result: T) => string,
  ) =>
    program
      .command(name)
      .description(summary)
      .usage(usage)
      .argument("[settings...]")
      .option("--json", "print haconnd's result as JSON instead of the manual's layout")
      .addHelpText("after", DAEMON_HELP)
      .action(async (tokens: string[], options: { json?: boolean }) => {
        const request = args(tokens); // validated before anything is sent
        const result = await call(name, request);
        io.stdout.write(options.json ? json(result) : text(asObject<T>(result)));
      });
  status(
    "status",
    "[--json]",
    "Management servers, duplex link, managed servers' power and links",
    (t) => {
      if (t.length > 0) throw usage(`${t[0]}: unknown argument (status takes none)`);
      return {};
    },
    formatStatus,
  );
  status(
    "hamonitor",
    "[name=<server name>] [--json]",
    "HA monitors registered per managed server and guest (name= limits the virtual servers)",
    (t) => {
      const name = parseSettings(t, ["name"]).get("name");
      return name === undefined ? {} : { name: parseServerName("name", name) };
    },
    formatHamonitor,
  );
  status(
    "ipdu",
    "[addr=<IP addr>] [--json]",
    "PDU links and firmware, outlet states (addr= limits the outlet list to one PDU)",
    (t) => {
      const addr = parseSettings(t, ["addr"]).get("addr");
      if (addr === undefined) return {};
      const parsed = parseDeviceAddress("addr", addr, 161);
      return { addr: pduKey(parsed.addr, parsed.port) };
    },
    formatIpduStatus,
  );

  program
    .command("version")
    .description("Connector version [OS kind].[major].[minor].[n].[m] (OS kind 3/4/5 = RHEL7/8/9, 0 = other)")
    .option("--json", "print JSON")
    .action(async (options: { json?: boolean }) => {
      const file = io.env.HACONN_VERSION_FILE;
      const version =
        file !== undefined && file !== ""
          ? await readVersionFile(file)
          : versionString(osKind(await io.readOsRelease?.()));
      const kind = Number(version.split(".")[0]);
      io.stdout.write(
        options.json ? `${JSON.stringify({ version, osKind: kind })}\n` : formatVersion(version),
      );
    });
  return program;
}

export function main(argv: readonly string[], io: CliIo): Promise<number> {
  return runProgram("haconnshow", () => build(io), argv, io);
}
