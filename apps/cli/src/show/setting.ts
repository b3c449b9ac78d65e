// haconnshow setting (manual §6.6.1): reset path, managed servers, ESXi settings, hispeed.
import { DEFAULT_BMC_PORT, formatAddress, type HaconnConfig } from "@haconn/config";
import { onOff, table } from "./table.js";

const dash = (value: number | null) => (value === null ? "--" : String(value));
const unset = (value: string | number | null | undefined) =>
  value === null || value === undefined ? "----" : String(value);

export function formatSetting(config: HaconnConfig): string {
  const rp = config.resetpath;
  const lines = [
    "-- HA monitor connector service setting --",
    "",
    "<mode>",
    "2:server duplication",
    "",
    "<resetpath>",
    rp ? `addr:${rp.addr} mask:${rp.mask} port number:${rp.port}` : "addr:---- mask:---- port number:----",
    "",
    "<physical server>",
    ...table(
      ["#", "name", "bmc addr", "account", "ipdusd", "timeout", "rc time", "cluster"],
      config.pservers.map((p, i) => [
        String(i + 1),
        p.name,
        formatAddress(p.bmc.addr, p.bmc.port, DEFAULT_BMC_PORT),
        p.bmc.account,
        onOff(p.ipdusd),
        dash(p.timeoutSec),
        dash(p.recoveryTimeSec),
        onOff(p.cluster),
      ]),
    ),
    "",
    "<virtual server>",
    ...table(
      ["#", "name", "VMware addr", "port", "account", "VMware"],
      config.pservers.map((p, i) => [
        String(i + 1),
        p.name,
        unset(p.vserver?.addr),
        unset(p.vserver?.port),
        unset(p.vserver?.account),
        p.vserver?.enabled ? "Enable" : "Disable",
      ]),
    ),
    "",
    "<hispeed failover>",
    `status :${onOff(config.hispeed.enabled)}`,
    // "resetime" is the manual's spelling in this display.
    config.hispeed.resetTimeMs === null ? "resetime: ----" : `resetime: ${config.hispeed.resetTimeMs} msec`,
  ];
  return `${lines.join("\n")}\n`;
}

/** The same facts for --json, without secrets. */
export function settingJson(config: HaconnConfig) {
  return {
    mode: 2,
    resetpath: config.resetpath,
    pservers: config.pservers.map((p) => ({
      name: p.name,
      bmc: { addr: p.bmc.addr, port: p.bmc.port, account: p.bmc.account, cipher: p.bmc.cipher },
      ipdusd: p.ipdusd,
      timeoutSec: p.timeoutSec,
      recoveryTimeSec: p.recoveryTimeSec,
      cluster: p.cluster,
    })),
    vservers: config.pservers.map((p) => ({
      name: p.name,
      addr: p.vserver?.addr ?? null,
      port: p.vserver?.port ?? null,
      account: p.vserver?.account ?? null,
      enabled: p.vserver?.enabled ?? false,
      hostKey: p.vserver?.hostKey ?? null,
    })),
    hispeed: config.hispeed,
  };
}
