// haconnsetup mserver add/mod/del, mlan, pserver add/mod/del, vserver (manual §6.3-6.4).
import { DEFAULT_BMC_PORT, DEFAULT_CIPHER_SUITE, type BmcSettings, type HaconnConfig } from "@haconn/config";
import {
  parseDeviceAddress,
  parseEnableDisable,
  parseInteger,
  parseIpv4,
  parseOnOff,
  parseSettings,
  requireSetting,
  type Settings,
} from "../args.js";
import { CliError, usage } from "../errors.js";
import {
  change,
  findMserver,
  findPserver,
  PLACEHOLDER_SECRET,
  preflight,
  type SetupContext,
} from "./context.js";

const opt = <T>(s: Settings, key: string, parse: (key: string, value: string) => T): T | undefined => {
  const value = s.get(key);
  return value === undefined ? undefined : parse(key, value);
};

/** The BMC and iPDU fields common to mod commands; undefined = unchanged. */
interface ServerChanges {
  addr?: { addr: string; port: number };
  account?: string;
  cipher?: number;
  ipdusd?: boolean;
  timeout?: number;
}

function readServerChanges(s: Settings): ServerChanges {
  return {
    addr: opt(s, "addr", (k, v) => parseDeviceAddress(k, v, DEFAULT_BMC_PORT)),
    account: s.get("account"),
    cipher: opt(s, "cipher", parseInteger),
    ipdusd: opt(s, "ipdusd", parseOnOff),
    timeout: opt(s, "timeout", parseInteger),
  };
}

function applyBmc(bmc: BmcSettings, c: ServerChanges, password: string): void {
  if (c.addr) Object.assign(bmc, c.addr);
  if (c.account !== undefined) Object.assign(bmc, { account: c.account, password });
  if (c.cipher !== undefined) bmc.cipher = c.cipher;
}

/** ipdusd=off clears timeout/recoverytime (shown as --); a timeout given with it is refused. */
function applyIpdusd(server: { ipdusd: boolean; timeoutSec: number | null }, c: ServerChanges): void {
  if (c.ipdusd !== undefined) {
    server.ipdusd = c.ipdusd;
    if (!c.ipdusd) {
      server.timeoutSec = null;
      if ("recoveryTimeSec" in server) server.recoveryTimeSec = null;
    }
  }
  if (c.timeout !== undefined) server.timeoutSec = c.timeout;
}

function needSomething(s: Settings, what: string, keys: readonly string[]): void {
  if ([...s.keys()].every((k) => k === "check")) {
    throw usage(
      `${what}: nothing to change (give one or more of ${keys.filter((k) => k !== "check").join("=, ")}=)`,
    );
  }
}

/** With an account, reads the password (after validating everything else). */
async function passwordFor(
  ctx: SetupContext,
  needed: boolean,
  apply: (pw: string) => (c: HaconnConfig) => void,
) {
  if (!needed) return apply("");
  await preflight(ctx, apply(PLACEHOLDER_SECRET));
  return apply(await ctx.secret("password"));
}

const MSERVER_KEYS = ["addr", "account", "ipdusd", "timeout", "cipher", "check"] as const;

export async function mserverAdd(ctx: SetupContext, name: string, tokens: string[]): Promise<void> {
  const s = parseSettings(tokens, MSERVER_KEYS);
  const c = readServerChanges(s);
  c.addr = parseDeviceAddress("addr", requireSetting(s, "addr"), DEFAULT_BMC_PORT);
  c.account = requireSetting(s, "account");
  const check = opt(s, "check", parseOnOff) ?? true;
  const mutate = await passwordFor(ctx, true, (password) => (config) => {
    if (config.mservers.some((m) => m.name === name)) {
      throw new CliError("CLI_CONFLICT", `${name}: management server already registered (use mserver mod)`);
    }
    const bmc: BmcSettings = {
      addr: "",
      port: DEFAULT_BMC_PORT,
      account: "",
      password,
      cipher: DEFAULT_CIPHER_SUITE,
    };
    applyBmc(bmc, c, password);
    const server = { name, bmc, ipdusd: false, timeoutSec: null, mlan: null, outlets: [] };
    applyIpdusd(server, c);
    config.mservers.push(server);
  });
  await change(ctx, mutate, check ? (next) => ctx.checkBmc(findMserver(next, name).bmc) : undefined);
}

export async function mserverMod(ctx: SetupContext, name: string, tokens: string[]): Promise<void> {
  const s = parseSettings(tokens, MSERVER_KEYS);
  needSomething(s, "mserver mod", MSERVER_KEYS);
  const c = readServerChanges(s);
  const check = opt(s, "check", parseOnOff) ?? true;
  const mutate = await passwordFor(ctx, c.account !== undefined, (password) => (config) => {
    const server = findMserver(config, name);
    applyBmc(server.bmc, c, password);
    applyIpdusd(server, c);
  });
  const bmcChanged = c.addr !== undefined || c.account !== undefined || c.cipher !== undefined;
  await change(
    ctx,
    mutate,
    check && bmcChanged ? (next) => ctx.checkBmc(findMserver(next, name).bmc) : undefined,
  );
}

export async function mserverDel(ctx: SetupContext, name: string, tokens: string[]): Promise<void> {
  parseSettings(tokens, []);
  await change(ctx, (config) => {
    findMserver(config, name);
    config.mservers = config.mservers.filter((m) => m.name !== name);
  });
}

export async function mlan(ctx: SetupContext, name: string, tokens: string[]): Promise<void> {
  const s = parseSettings(tokens, ["addr", "port"]);
  needSomething(s, "mlan", ["addr", "port"]);
  const addr = opt(s, "addr", parseIpv4);
  const port = opt(s, "port", parseInteger);
  await change(ctx, (config) => {
    const server = findMserver(config, name);
    if (!server.mlan && (addr === undefined || port === undefined)) {
      throw usage(
        `${addr === undefined ? "addr" : "port"}: required the first time the duplex LAN of ${name} is set`,
      );
    }
    server.mlan = { addr: addr ?? server.mlan!.addr, port: port ?? server.mlan!.port };
  });
}

const PSERVER_KEYS = ["addr", "account", "cluster", "ipdusd", "timeout", "recoverytime", "cipher"] as const;

interface PserverChanges extends ServerChanges {
  cluster?: boolean;
  recoverytime?: number;
}

function readPserverChanges(s: Settings): PserverChanges {
  return {
    ...readServerChanges(s),
    cluster: opt(s, "cluster", parseOnOff),
    recoverytime: opt(s, "recoverytime", parseInteger),
  };
}

function applyPserver(server: HaconnConfig["pservers"][number], c: PserverChanges, password: string): void {
  applyBmc(server.bmc, c, password);
  applyIpdusd(server, c);
  if (c.cluster !== undefined) server.cluster = c.cluster;
  if (c.recoverytime !== undefined) server.recoveryTimeSec = c.recoverytime;
}

export async function pserverAdd(ctx: SetupContext, name: string, tokens: string[]): Promise<void> {
  const s = parseSettings(tokens, PSERVER_KEYS);
  const c = readPserverChanges(s);
  c.addr = parseDeviceAddress("addr", requireSetting(s, "addr"), DEFAULT_BMC_PORT);
  c.account = requireSetting(s, "account");
  const mutate = await passwordFor(ctx, true, (password) => (config) => {
    if (config.pservers.some((p) => p.name === name)) {
      throw new CliError("CLI_CONFLICT", `${name}: managed server already registered (use pserver mod)`);
    }
    const bmc: BmcSettings = {
      addr: "",
      port: DEFAULT_BMC_PORT,
      account: "",
      password,
      cipher: DEFAULT_CIPHER_SUITE,
    };
    const server = {
      name,
      bmc,
      cluster: false,
      ipdusd: false,
      timeoutSec: null,
      recoveryTimeSec: null,
      vserver: null,
      outlets: [],
    };
    applyPserver(server, c, password);
    config.pservers.push(server);
  });
  await change(ctx, mutate);
}

export async function pserverMod(ctx: SetupContext, name: string, tokens: string[]): Promise<void> {
  const s = parseSettings(tokens, ["name", ...PSERVER_KEYS]);
  needSomething(s, "pserver mod", ["name", ...PSERVER_KEYS]);
  const c = readPserverChanges(s);
  const rename = s.get("name");
  const mutate = await passwordFor(ctx, c.account !== undefined, (password) => (config) => {
    const server = findPserver(config, name);
    applyPserver(server, c, password);
    if (rename !== undefined) server.name = rename;
  });
  await change(ctx, mutate);
}

/** Deleting a managed server deletes its vserver settings and PDU links with it. */
export async function pserverDel(ctx: SetupContext, name: string, tokens: string[]): Promise<void> {
  parseSettings(tokens, []);
  await change(ctx, (config) => {
    findPserver(config, name);
    config.pservers = config.pservers.filter((p) => p.name !== name);
  });
}

export async function vserver(ctx: SetupContext, name: string, tokens: string[]): Promise<void> {
  const s = parseSettings(tokens, ["addr", "port", "account", "VMware", "hostkey"]);
  needSomething(s, "vserver", ["addr", "port", "account", "VMware", "hostkey"]);
  const addr = opt(s, "addr", parseIpv4);
  const port = opt(s, "port", parseInteger);
  const account = s.get("account");
  const enabled = opt(s, "VMware", parseEnableDisable);
  const hostKey = s.get("hostkey");
  const mutate = await passwordFor(ctx, account !== undefined, (password) => (config) => {
    const server = findPserver(config, name);
    const v = server.vserver ?? {
      addr: null,
      port: null,
      account: null,
      password: null,
      enabled: false,
      hostKey: null,
    };
    if (addr !== undefined) v.addr = addr;
    if (port !== undefined) v.port = port;
    if (account !== undefined) Object.assign(v, { account, password });
    if (enabled !== undefined) v.enabled = enabled;
    if (hostKey !== undefined) v.hostKey = hostKey.toLowerCase() === "none" ? null : hostKey;
    server.vserver = v;
  });
  await change(ctx, mutate);
}
