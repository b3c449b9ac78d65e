// haconnsetup resetpath and hispeed (manual §6.2, §6.5).
import { parseAddressWithMask, parseInteger, parseSettings } from "../args.js";
import { usage } from "../errors.js";
import { change, type SetupContext } from "./context.js";

export async function resetpath(ctx: SetupContext, tokens: string[]): Promise<void> {
  const s = parseSettings(tokens, ["addr", "port"]);
  if (s.size === 0) throw usage("resetpath: give addr=<IP addr>/<subnetmask> and/or port=<port number>");
  const addr = s.has("addr") ? parseAddressWithMask("addr", s.get("addr")!) : undefined;
  const port = s.has("port") ? parseInteger("port", s.get("port")!) : undefined;
  await change(ctx, (config) => {
    const current = config.resetpath;
    if (!current && (addr === undefined || port === undefined)) {
      throw usage(`${addr === undefined ? "addr" : "port"}: required the first time the reset path is set`);
    }
    config.resetpath = { ...current!, ...addr, ...(port === undefined ? {} : { port }) };
  });
}

export async function hispeed(ctx: SetupContext, tokens: string[]): Promise<void> {
  if (tokens.length === 1 && tokens[0]!.toLowerCase() === "off") {
    await change(ctx, (config) => {
      config.hispeed = { enabled: false, resetTimeMs: null };
    });
    return;
  }
  const s = parseSettings(tokens, ["resettime"]);
  const value = s.get("resettime");
  if (value === undefined || tokens.length !== 1)
    throw usage("hispeed: give resettime=<1000-5000 ms> or off");
  const ms = parseInteger("resettime", value);
  await change(ctx, (config) => {
    config.hispeed = { enabled: true, resetTimeMs: ms };
  });
}
