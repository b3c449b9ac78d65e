// haconnshow mserversetting (manual §6.6.2): management servers and their duplex LAN.
import { DEFAULT_BMC_PORT, formatAddress, type HaconnConfig } from "@haconn/config";
import { cipherLines } from "./extras.js";
import { onOff, table } from "./table.js";

export function formatMserverSetting(config: HaconnConfig): string {
  const lines = [
    "-- HA monitor connector management server setting --",
    "",
    "<management server>",
    ...table(
      ["#", "name", "bmc addr", "account", "ipdusd", "timeout"],
      config.mservers.map((m, i) => [
        String(i + 1),
        m.name,
        formatAddress(m.bmc.addr, m.bmc.port, DEFAULT_BMC_PORT),
        m.bmc.account,
        onOff(m.ipdusd),
        m.timeoutSec === null ? "--" : String(m.timeoutSec),
      ]),
    ),
    "",
    "<management LAN>",
    ...table(
      ["#", "name", "LAN addr", "port"],
      config.mservers.map((m, i) => [
        String(i + 1),
        m.name,
        m.mlan?.addr ?? "----",
        m.mlan ? String(m.mlan.port) : "----",
      ]),
    ),
    ...cipherLines(config.mservers),
  ];
  return `${lines.join("\n")}\n`;
}

export function mserverSettingJson(config: HaconnConfig) {
  return {
    mservers: config.mservers.map((m) => ({
      name: m.name,
      bmc: { addr: m.bmc.addr, port: m.bmc.port, account: m.bmc.account, cipher: m.bmc.cipher },
      ipdusd: m.ipdusd,
      timeoutSec: m.timeoutSec,
      mlan: m.mlan,
    })),
  };
}
