// haconnshow setting (manual §6.6.1): reset path, managed servers, ESXi settings, hispeed.
import { DEFAULT_BMC_PORT, formatAddress, type HaconnConfig } from "@haconn/config";
import { type ResetKeyState, resetKeyState } from "../setup/reset-key.js";
import { cipherLines, hostKeyLines } from "./extras.js";
import { onOff, table } from "./table.js";

const dash = (value: number | null) => (value === null ? "--" : String(value));
const unset = (value: string | number | null | undefined) =>
  value === null || value === undefined ? "----" : String(value);

/** How the daemon will treat the reset path with this configuration and key file. */
export function resetPathAuth(config: HaconnConfig, key: ResetKeyState): "key" | "insecure" | "refused" {
  if (key.present) return "key";
  return config.resetpath?.insecure === true ? "insecure" : "refused";
}

function securityLines(config: HaconnConfig, key: ResetKeyState): string[] {
  const auth = resetPathAuth(config, key);
  const file = key.present
    ? `key file:present${key.keyIds.length ? ` (key ids ${key.keyIds.join(",")}, send ${key.sendKeyId})` : ""}${key.problem ? ` REFUSED: ${key.problem}` : ""}`
    : "key file:absent";
  const mode = {
    key: "authentication:required (signed frames only)",
    insecure: "authentication:INSECURE (insecure=on: unauthenticated, anyone on the LAN can request a reset)",
    refused: "authentication:none: haconnd refuses to start (haconnsetup resetpath key=new, or insecure=on)",
  }[auth];
  const allow = config.pservers.filter((p) => p.monitorAddrs && p.monitorAddrs.length > 0);
  return [
    "",
    "<resetpath authentication>",
    file,
    mode,
    "",
    "<fence_kdump>",
    config.kdump ? `status :on port number:${config.kdump.port}` : "status :off",
    ...(allow.length > 0
      ? ["", "<HA monitor source addresses>", ...allow.map((p) => `${p.name}: ${p.monitorAddrs!.join(",")}`)]
      : []),
  ];
}

export function formatSetting(config: HaconnConfig, etcDir?: string): string {
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
    ...cipherLines(config.pservers),
    ...hostKeyLines(config),
    ...(etcDir === undefined ? [] : securityLines(config, resetKeyState(etcDir))),
  ];
  return `${lines.join("\n")}\n`;
}

/** The same facts for --json, without secrets. */
export function settingJson(config: HaconnConfig, etcDir?: string) {
  const key = etcDir === undefined ? undefined : resetKeyState(etcDir);
  return {
    mode: 2,
    resetpath: config.resetpath,
    ...(key
      ? {
          resetPathKey: {
            present: key.present,
            keyIds: key.keyIds,
            sendKeyId: key.sendKeyId,
            problem: key.problem,
          },
          resetPathAuth: resetPathAuth(config, key),
        }
      : {}),
    kdump: config.kdump ?? null,
    pservers: config.pservers.map((p) => ({
      name: p.name,
      bmc: { addr: p.bmc.addr, port: p.bmc.port, account: p.bmc.account, cipher: p.bmc.cipher },
      ipdusd: p.ipdusd,
      timeoutSec: p.timeoutSec,
      recoveryTimeSec: p.recoveryTimeSec,
      cluster: p.cluster,
      monitorAddrs: p.monitorAddrs ?? [],
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
