// haconnshow ipdusetting (manual §6.6.3, whose tables keep their original spacing): community
// (masked), PDUs, and the outlet links of the servers that have any, two links per line.
import type { HaconnConfig, OutletLink } from "@haconn/config";
import { profileLines } from "./extras.js";

const MASKED_COMMUNITY = "xxxxxxxx";
const pad = (text: string, width: number) => text.padEnd(width);

function linkTable(servers: readonly { name: string; outlets: OutletLink[] }[]): string[] {
  const listed = servers.filter((s) => s.outlets.length > 0);
  const num = Math.max(1, String(listed.length).length) + 1;
  const name = Math.max(15, ...listed.map((s) => s.name.length + 2));
  const addr = Math.max(15, ...listed.flatMap((s) => s.outlets.map((o) => o.pdu.length + 2)));
  const pair = (links: OutletLink[]) =>
    links
      .map((l, i) =>
        i === links.length - 1
          ? `${pad(l.pdu, addr)}${l.outlet}`
          : `${pad(l.pdu, addr)}${pad(String(l.outlet), 7)}`,
      )
      .join("");
  const lines = [
    `${pad("#", num)}${pad("name", name)}${pad("ipdu addr", addr)}con#   ${pad("ipdu addr", addr)}con#`,
  ];
  listed.forEach((server, i) => {
    lines.push(`${pad(String(i + 1), num)}${pad(server.name, name)}${pair(server.outlets.slice(0, 2))}`);
    // Continuation lines are indented one column further than the first, as the manual prints them.
    for (let k = 2; k < server.outlets.length; k += 2) {
      lines.push(`${" ".repeat(num + name + 1)}${pair(server.outlets.slice(k, k + 2))}`);
    }
  });
  return lines;
}

export function formatIpduSetting(config: HaconnConfig): string {
  const num = Math.max(1, String(config.pdus.length).length) + 1;
  const addr = Math.max(15, ...config.pdus.map((p) => p.key.length + 2));
  const lines = [
    "-- HA monitor connector ipdu setting --",
    "",
    "<ipdu>",
    "",
    `SNMP Community : ${config.snmp ? MASKED_COMMUNITY : "----"}`,
    "",
    `${pad("#", num)}${pad("ipdu addr", addr)}model`,
    ...config.pdus.map((p, i) => `${pad(String(i + 1), num)}${pad(p.key, addr)}${p.model}`),
    "",
    "<management server>",
    "",
    ...linkTable(config.mservers),
    "",
    "<physical server>",
    "",
    ...linkTable(config.pservers),
    ...profileLines(config),
  ];
  return `${lines.join("\n")}\n`;
}

export function ipduSettingJson(config: HaconnConfig) {
  const links = (servers: readonly { name: string; outlets: OutletLink[] }[]) =>
    servers.map((s) => ({ name: s.name, outlets: s.outlets }));
  return {
    snmpCommunitySet: config.snmp !== null,
    pdus: config.pdus.map((p) => ({
      addr: p.addr,
      port: p.port,
      key: p.key,
      model: p.model,
      profile: p.profile,
    })),
    mservers: links(config.mservers),
    pservers: links(config.pservers),
  };
}
