// haconnsetup resetpath, hispeed and kdump (manual §6.2, §6.5; docs/security.md).
import { DEFAULT_KDUMP_PORT, RESET_PATH_KEY_FILE } from "@haconn/config";
import { parseAddressWithMask, parseInteger, parseOnOff, parseSettings } from "../args.js";
import { CliError, usage } from "../errors.js";
import { change, type SetupContext } from "./context.js";
import { createResetPathKey, resetKeyState } from "./reset-key.js";

/**
 * `resetpath addr=<ip>/<mask> port=<port> [insecure=on|off] [key=new]`. The first time the reset
 * path is set, `resetpath.key` is created beside the configuration (never overwritten): the
 * reset path is authenticated by default. `insecure=on` is the explicit, shown switch to run
 * without a key; `key=new` creates the key for a configuration made before keys were default.
 */
export async function resetpath(ctx: SetupContext, tokens: string[]): Promise<void> {
  const s = parseSettings(tokens, ["addr", "port", "insecure", "key"]);
  if (s.size === 0)
    throw usage(
      "resetpath: give addr=<IP addr>/<subnetmask> and/or port=<port number> (or insecure=on|off, key=new)",
    );
  const addr = s.has("addr") ? parseAddressWithMask("addr", s.get("addr")!) : undefined;
  const port = s.has("port") ? parseInteger("port", s.get("port")!) : undefined;
  const insecure = s.has("insecure") ? parseOnOff("insecure", s.get("insecure")!) : undefined;
  if (s.has("key") && s.get("key")!.toLowerCase() !== "new") throw usage("key: only key=new is accepted");
  const dir = ctx.store.dir;
  if (s.has("key") && resetKeyState(dir).present)
    throw new CliError(
      "CLI_CONFLICT",
      `${dir}/${RESET_PATH_KEY_FILE} exists and is never overwritten; rotate keys as docs/security.md says`,
    );
  let first = false;
  await change(ctx, (config) => {
    const current = config.resetpath;
    if (!current && (addr === undefined || port === undefined)) {
      throw usage(`${addr === undefined ? "addr" : "port"}: required the first time the reset path is set`);
    }
    first = !current;
    const next = { ...current!, ...addr, ...(port === undefined ? {} : { port }) };
    if (insecure === true) next.insecure = true;
    if (insecure === false) delete next.insecure;
    config.resetpath = next;
  });
  if ((first && insecure !== true) || s.has("key")) {
    const created = await createResetPathKey(dir);
    if (created)
      ctx.io.stdout.write(
        `created ${dir}/${RESET_PATH_KEY_FILE} (key id 1, mode 0600): install the same file on every HA monitor and the other management server (docs/security.md)\n`,
      );
  }
  if (insecure === true)
    ctx.io.stdout.write(
      "warning: insecure=on: without resetpath.key anyone on the reset-path LAN can make this connector reset a server\n",
    );
}

/** `kdump port=<port> | on | off`: the fence_kdump listener, off unless configured. */
export async function kdump(ctx: SetupContext, tokens: string[]): Promise<void> {
  const word = tokens.length === 1 ? tokens[0]!.toLowerCase() : undefined;
  if (word === "off" || word === "on") {
    await change(ctx, (config) => {
      config.kdump = word === "on" ? { port: DEFAULT_KDUMP_PORT } : null;
    });
    return;
  }
  const s = parseSettings(tokens, ["port"]);
  const value = s.get("port");
  if (value === undefined || tokens.length !== 1) throw usage("kdump: give port=<1-65535>, on (7410) or off");
  const port = parseInteger("port", value);
  await change(ctx, (config) => {
    config.kdump = { port };
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
