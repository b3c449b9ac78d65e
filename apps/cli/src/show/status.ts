// haconnshow status (manual §6.6.4): the management servers with the duplex link, then every
// managed server's power and links, from haconnd's `status` op.
import type { StatusResult } from "../daemon/results.js";
import { table } from "./table.js";

const cell = (value: unknown, placeholder: string) =>
  typeof value === "string" && value !== "" ? value : placeholder;

export function formatStatus(result: StatusResult): string {
  const lines = [
    "-- HA monitor connector service status --",
    "",
    "<management server>",
    `mode : ${cell(result.mode, "2(server duplication)")}`,
    `link status : ${cell(result.link, "--")}`,
    ...(result.resetPathAuth === "insecure"
      ? ["reset path : INSECURE (no resetpath.key, insecure=on: unauthenticated requests are served)"]
      : []),
    ...table(
      ["#", "name", "IP address", "act/sby", "status", "BMC", "IPDU"],
      (result.mservers ?? []).map((m, i) => [
        String(i + 1),
        cell(m.name, "----"),
        cell(m.addr, "----"),
        cell(m.role, "---"),
        cell(m.status, "--"),
        cell(m.bmc, "--"),
        cell(m.ipdu, "--"),
      ]),
    ),
    "",
    "<physical server>",
    ...table(
      ["#", "name", "power", "BMC", "IPDU", "VMware"],
      (result.servers ?? []).map((s, i) => [
        String(i + 1),
        cell(s.name, "----"),
        cell(s.power, "--"),
        cell(s.bmc, "--"),
        cell(s.ipdu, "--"),
        cell(s.vmware, "--"),
      ]),
    ),
  ];
  return `${lines.join("\n")}\n`;
}
