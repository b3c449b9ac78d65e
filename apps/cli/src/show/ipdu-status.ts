// haconnshow ipdu (manual §6.6.6): each PDU's model, firmware and link, then per PDU the state
// of the outlets and what they feed, from haconnd's `ipdu` op. The <ipdu> table is a code block
// in the manual, so its spacing is reproduced as printed (the header's columns are one wider
// than the rows'); the outlet tables use the common layout.
import type { IpduResult, PduRow, PduStatus } from "../daemon/results.js";
import { table } from "./table.js";

const pad = (text: string, width: number) => text.padEnd(width);
const dash = (value: unknown) => (typeof value === "string" && value !== "" ? value : "--");

function pduTable(pdus: readonly PduRow[]): string[] {
  const num = Math.max(1, String(pdus.length).length) + 1;
  const addr = Math.max(15, ...pdus.map((p) => p.addr.length + 2));
  const model = Math.max(14, ...pdus.map((p) => dash(p.model).length + 2));
  const fw = Math.max(13, ...pdus.map((p) => dash(p.firmware).length + 2));
  return [
    `${pad("#", num)}${pad("ipdu addr", addr)}${pad("model", model + 1)}${pad("FW version", fw + 1)}link`,
    ...pdus.map(
      (p, i) =>
        `${pad(String(i + 1), num)}${pad(p.addr, addr)}${pad(dash(p.model), model)}${pad(dash(p.firmware), fw)}${dash(p.link)}`,
    ),
  ];
}

function outletTable(pdu: PduStatus): string[] {
  return table(
    ["Con#", "status", "P/M", "server name"],
    (pdu.outlets ?? []).map((o) => [String(o.outlet), dash(o.status), dash(o.pm), dash(o.server)]),
  );
}

export function formatIpduStatus(result: IpduResult): string {
  const pdus = result.pdus ?? [];
  const lines = [
    "-- HA monitor connector ipdu status --",
    "",
    "<ipdu>",
    "",
    ...pduTable(pdus),
    "",
    "<ipdu status>",
  ];
  (result.status ?? []).forEach((pdu, i) => {
    // Numbered as in the <ipdu> table, also when addr= shows one PDU.
    const index = pdus.findIndex((p) => p.addr === pdu.addr || p.addr === pdu.key);
    lines.push("", `No.${index >= 0 ? index + 1 : i + 1} ${pdu.key ?? pdu.addr}`, "", ...outletTable(pdu));
  });
  return `${lines.join("\n")}\n`;
}
