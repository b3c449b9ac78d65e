// haconnsetup ipdu add/del, mserver/pserver ipduadd/ipdudel, snmp (manual §6.5).
import { DEFAULT_SNMP_PORT, type HaconnConfig, pduKey } from "@haconn/config";
import { parseDeviceAddress, parseInteger, parseSettings, requireSetting } from "../args.js";
import { CliError, usage } from "../errors.js";
import { change, findMserver, findPserver, type SetupContext } from "./context.js";

function pduKeyOf(key: string, value: string): string {
  const { addr, port } = parseDeviceAddress(key, value, DEFAULT_SNMP_PORT);
  return pduKey(addr, port);
}

export async function ipduAdd(ctx: SetupContext, address: string, tokens: string[]): Promise<void> {
  const s = parseSettings(tokens, ["model", "profile"]);
  const { addr, port } = parseDeviceAddress("<IP addr>", address, DEFAULT_SNMP_PORT);
  const model = requireSetting(s, "model");
  if (model !== "IBM_PDU") throw usage(`model: "${model}" is not supported (supported: IBM_PDU)`);
  const profile = s.get("profile") ?? null;
  await change(ctx, (config) => {
    config.pdus.push({ key: pduKey(addr, port), addr, port, model, profile });
  });
}

function linksTo(config: HaconnConfig, keys: Set<string>): string[] {
  const found: string[] = [];
  for (const server of [...config.mservers, ...config.pservers]) {
    for (const o of server.outlets) {
      if (keys.has(o.pdu)) found.push(`${server.name} (${o.pdu} concent ${o.outlet})`);
    }
  }
  return found;
}

/**
 * `*` deletes every PDU. A PDU that still feeds a server is not deleted (that would silently
 * drop the server's forced-reset path): the operator removes the links first with ipdudel.
 */
export async function ipduDel(ctx: SetupContext, address: string, tokens: string[]): Promise<void> {
  parseSettings(tokens, []);
  const all = address === "*";
  const key = all ? undefined : pduKeyOf("<IP addr>", address);
  await change(ctx, (config) => {
    if (key !== undefined && !config.pdus.some((p) => p.key === key)) {
      throw new CliError("CLI_NOT_FOUND", `${address}: no such PDU (see haconnshow ipdusetting)`);
    }
    if (all && config.pdus.length === 0) ctx.note = "no PDU is registered: nothing to delete";
    const doomed = new Set(all ? config.pdus.map((p) => p.key) : [key!]);
    const links = linksTo(config, doomed);
    if (links.length > 0) {
      throw new CliError(
        "CLI_CONFLICT",
        `${address}: PDU still feeds ${links.join(", ")}; remove those links first ` +
          "(haconnsetup mserver ipdudel / pserver ipdudel)",
      );
    }
    config.pdus = config.pdus.filter((p) => !doomed.has(p.key));
  });
}

type Kind = "mserver" | "pserver";
const serverOf = (config: HaconnConfig, kind: Kind, name: string) =>
  kind === "mserver" ? findMserver(config, name) : findPserver(config, name);

export async function ipduLinkAdd(
  ctx: SetupContext,
  kind: Kind,
  name: string,
  tokens: string[],
): Promise<void> {
  const s = parseSettings(tokens, ["addr", "concent"]);
  const pdu = pduKeyOf("addr", requireSetting(s, "addr"));
  const outlet = parseInteger("concent", requireSetting(s, "concent"));
  await change(ctx, (config) => {
    serverOf(config, kind, name).outlets.push({ pdu, outlet });
  });
}

/** Without addr= and concent=, deletes every link of the server. */
export async function ipduLinkDel(
  ctx: SetupContext,
  kind: Kind,
  name: string,
  tokens: string[],
): Promise<void> {
  const s = parseSettings(tokens, ["addr", "concent"]);
  if (s.size === 1)
    throw usage(`${s.has("addr") ? "concent" : "addr"}: give addr= and concent= together, or neither`);
  const pdu = s.size ? pduKeyOf("addr", s.get("addr")!) : undefined;
  const outlet = s.size ? parseInteger("concent", s.get("concent")!) : undefined;
  await change(ctx, (config) => {
    const server = serverOf(config, kind, name);
    if (pdu === undefined) {
      server.outlets = [];
      return;
    }
    const index = server.outlets.findIndex((o) => o.pdu === pdu && o.outlet === outlet);
    if (index === -1) throw new CliError("CLI_NOT_FOUND", `${name}: no link to ${pdu} concent ${outlet}`);
    server.outlets.splice(index, 1);
  });
}

/** The community comes from `name=` (the manual's syntax) or, without it, from the prompt/stdin. */
export async function snmp(ctx: SetupContext, tokens: string[]): Promise<void> {
  const s = parseSettings(tokens, ["name"]);
  const community = s.get("name") ?? (await ctx.secret("community"));
  await change(ctx, (config) => {
    config.snmp = { community };
  });
}
