// fence_haconn's options, read as fence-agents read them (fencing.py process_input): from the
// command line when there are arguments (long options, a few short ones), else from standard
// input as `key=value` lines (what pacemaker-fenced writes; `#` comments, blank lines, quotes
// around a value stripped, `-` and `_` interchangeable, unknown keys ignored with a warning).
import { FenceError } from "./errors.js";

export const ACTIONS = [
  "reboot",
  "off",
  "on",
  "status",
  "monitor",
  "list",
  "list-status",
  "metadata",
  "validate-all",
] as const;
export type FenceAction = (typeof ACTIONS)[number];

/** Where the package installs the reset-path key (haconnsetup resetpath creates it there). */
export const DEFAULT_KEY_FILE = "/etc/opt/hitachi/haconn2/resetpath.key";
/** Where ocf:haconn:monitor keeps this node's registration. */
export const DEFAULT_STATE_FILE = "/run/haconn/pcmk-monitor.json";
export const DEFAULT_COROSYNC_CONF = "/etc/corosync/corosync.conf";
/** Bound of a whole reset request (sends and RESET-RESULT), seconds. */
export const DEFAULT_POWER_TIMEOUT = 40;

export interface FenceOptions {
  action: FenceAction;
  ip?: string;
  ipport?: number;
  plug?: string;
  /** The node Pacemaker fences (pacemaker-fenced passes it; --nodename on the command line). */
  nodename?: string;
  keyFile: string;
  stateFile: string;
  corosyncConf: string;
  delaySec: number;
  powerTimeoutSec: number;
  verbose: number;
  debugFile?: string;
  help: boolean;
  version: boolean;
}

export interface ParsedOptions {
  options: FenceOptions;
  /** fence-agents-style "Parse error: Ignoring unknown option ..." lines. */
  warnings: string[];
}

/** Option name (as on stdin, `_` form) → its long command-line name; `value` = takes a value. */
const SPEC: Record<string, { long: string; short?: string; value: boolean }> = {
  action: { long: "action", short: "o", value: true },
  ip: { long: "ip", short: "a", value: true },
  ipport: { long: "ipport", short: "u", value: true },
  plug: { long: "plug", short: "n", value: true },
  nodename: { long: "nodename", value: true },
  key_file: { long: "key-file", short: "k", value: true },
  state_file: { long: "state-file", value: true },
  corosync_conf: { long: "corosync-conf", value: true },
  delay: { long: "delay", value: true },
  power_timeout: { long: "power-timeout", value: true },
  verbose: { long: "verbose", short: "v", value: false },
  verbose_level: { long: "verbose-level", value: true },
  debug_file: { long: "debug-file", short: "D", value: true },
  help: { long: "help", short: "h", value: false },
  version: { long: "version", short: "V", value: false },
};
/** Names fence-agents accept for the same option. */
const ALIASES: Record<string, string> = { port: "plug", ipaddr: "ip", debug: "debug_file", "meta-data": "" };

const bad = (m: string) => new FenceError("FENCE_USAGE", m);

export function parseFenceOptions(argv: readonly string[], stdin: string): ParsedOptions {
  const warnings: string[] = [];
  const raw = new Map<string, string>();
  let verboseCount = 0;
  if (argv.length > 0) {
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i]!;
      let name: string | undefined;
      let value: string | undefined;
      if (arg.startsWith("--")) {
        const eq = arg.indexOf("=");
        const long = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
        name = Object.keys(SPEC).find((k) => SPEC[k]!.long === long) ?? ALIASES[long.replace(/-/g, "_")];
        if (!name) throw bad(`Failed: unrecognised option ${arg}`);
        if (eq >= 0) value = arg.slice(eq + 1);
      } else if (/^-[A-Za-z]+$/.test(arg)) {
        const flags = arg.slice(1);
        if (/^v+$/.test(flags)) {
          verboseCount += flags.length;
          continue;
        }
        name = Object.keys(SPEC).find((k) => SPEC[k]!.short === flags[0]);
        if (!name) throw bad(`Failed: unrecognised option ${arg}`);
        if (flags.length > 1) value = flags.slice(1);
      } else throw bad(`Failed: unexpected argument ${arg}`);
      const spec = SPEC[name]!;
      if (spec.value && value === undefined) {
        value = argv[++i];
        if (value === undefined) throw bad(`Failed: option ${arg} needs a value`);
      }
      if (name === "verbose") verboseCount += 1;
      else raw.set(name, value ?? "1");
    }
  } else {
    for (const rawLine of stdin.split(/\r?\n/)) {
      const line = rawLine.trim();
      if (line === "" || line.startsWith("#")) continue;
      const eq = line.indexOf("=");
      const key = (eq < 0 ? line : line.slice(0, eq)).trim().replace(/-/g, "_");
      const value = (eq < 0 ? "" : line.slice(eq + 1)).replace(/^"(.*)"$/, "$1");
      const name = key in SPEC ? key : ALIASES[key];
      if (!name) {
        // Pacemaker passes its own keys too (nodename is ours; pcmk_* never reach agents).
        warnings.push(`Parse error: Ignoring unknown option '${line}'`);
        continue;
      }
      if (name === "verbose") {
        if (/^(1|yes|on|true)$/i.test(value)) verboseCount = Math.max(verboseCount, 1);
        continue;
      }
      raw.set(name, value);
    }
  }
  const get = (k: string) => raw.get(k);
  const actionText = (get("action") ?? "reboot").toLowerCase();
  const action = (
    actionText === "meta-data"
      ? "metadata"
      : actionText === "enable"
        ? "on"
        : actionText === "disable"
          ? "off"
          : actionText
  ) as FenceAction;
  if (!ACTIONS.includes(action)) throw bad(`Failed: Unrecognised action '${actionText}'`);
  const options: FenceOptions = {
    action,
    keyFile: get("key_file") || DEFAULT_KEY_FILE,
    stateFile: get("state_file") || DEFAULT_STATE_FILE,
    corosyncConf: get("corosync_conf") || DEFAULT_COROSYNC_CONF,
    delaySec: seconds("delay", get("delay"), 0),
    powerTimeoutSec: seconds("power_timeout", get("power_timeout"), DEFAULT_POWER_TIMEOUT),
    verbose:
      get("verbose_level") !== undefined
        ? integer("verbose_level", get("verbose_level")!, 0, 9)
        : verboseCount,
    help: get("help") === "1",
    version: get("version") === "1",
  };
  const ip = get("ip");
  if (ip) {
    if (!/^[0-9A-Za-z.:-]{1,253}$/.test(ip)) throw bad(`Failed: ip '${ip}' is not an address`);
    options.ip = ip;
  }
  const ipport = get("ipport");
  if (ipport) options.ipport = integer("ipport", ipport, 1, 65535);
  const plug = get("plug");
  if (plug) {
    if (!/^[A-Za-z0-9_-]{1,31}$/.test(plug))
      throw bad(`Failed: plug '${plug}' is not a haconn system name (1..31 of A-Z a-z 0-9 _ -)`);
    options.plug = plug;
  }
  const nodename = get("nodename");
  if (nodename) options.nodename = nodename;
  const debugFile = get("debug_file");
  if (debugFile) options.debugFile = debugFile;
  return { options, warnings };
}

function integer(name: string, text: string, min: number, max: number): number {
  if (!/^\d{1,10}$/.test(text) || Number(text) < min || Number(text) > max)
    throw bad(`Failed: ${name} must be an integer ${min}..${max}, not '${text}'`);
  return Number(text);
}

function seconds(name: string, text: string | undefined, dflt: number): number {
  if (text === undefined || text === "") return dflt;
  if (!/^\d{1,6}(\.\d{1,3})?$/.test(text))
    throw bad(`Failed: ${name} must be a number of seconds, not '${text}'`);
  return Number(text);
}

/** Parameters a reset (reboot) and every device action need. */
export function requireDevice(o: FenceOptions): { ip: string; ipport: number } {
  if (!o.ip) throw bad("Failed: You have to enter fence address (ip)");
  if (!o.ipport) throw bad("Failed: You have to enter the reset-path port of the connector (ipport)");
  return { ip: o.ip, ipport: o.ipport };
}
