// The manual's `key=value` arguments, in any order. Each parser names the argument it rejects.
import { isIpv4, maskToPrefix, parseAddressWithPort, prefixToMask } from "@haconn/config";
import { usage } from "./errors.js";

export type Settings = Map<string, string>;

/** Removes one surrounding pair of literal quotes, in case they reached us unshelled. */
function unquote(value: string): string {
  const q = value[0];
  return value.length >= 2 && (q === '"' || q === "'") && value.at(-1) === q ? value.slice(1, -1) : value;
}

/**
 * Parses `key=value` tokens. Keys match case-insensitively against `allowed` (so `VMware=` and
 * `vmware=` both work) and are returned in the spelling of `allowed`.
 */
export function parseSettings(tokens: readonly string[], allowed: readonly string[]): Settings {
  const settings: Settings = new Map();
  for (const token of tokens) {
    const eq = token.indexOf("=");
    if (eq <= 0) {
      throw usage(`"${token}": expected key=value (one of: ${allowed.map((k) => `${k}=`).join(" ")})`);
    }
    const typed = token.slice(0, eq);
    const key = allowed.find((k) => k.toLowerCase() === typed.toLowerCase());
    if (key === undefined) throw usage(`${typed}: unknown argument (expected one of: ${allowed.join(", ")})`);
    if (settings.has(key)) throw usage(`${key}: given twice`);
    settings.set(key, unquote(token.slice(eq + 1)));
  }
  return settings;
}

export function requireSetting(settings: Settings, key: string): string {
  const value = settings.get(key);
  if (value === undefined) throw usage(`${key}: required`);
  return value;
}

export function parseInteger(key: string, value: string): number {
  if (!/^[0-9]{1,9}$/.test(value)) throw usage(`${key}: "${value}" is not a whole number`);
  return Number(value);
}

export function parseOnOff(key: string, value: string): boolean {
  const v = value.toLowerCase();
  if (v === "on") return true;
  if (v === "off") return false;
  throw usage(`${key}: must be on or off`);
}

export function parseEnableDisable(key: string, value: string): boolean {
  const v = value.toLowerCase();
  if (v === "enable") return true;
  if (v === "disable") return false;
  throw usage(`${key}: must be Enable or Disable`);
}

export function parseIpv4(key: string, value: string): string {
  if (!isIpv4(value)) throw usage(`${key}: "${value}" is not an IPv4 address`);
  return value;
}

export function parseDeviceAddress(
  key: string,
  value: string,
  defaultPort: number,
): { addr: string; port: number } {
  const parsed = parseAddressWithPort(value, defaultPort);
  if (typeof parsed === "string") throw usage(`${key}: ${parsed}`);
  return parsed;
}

/** `<ip>/<mask>` with the mask dotted (255.255.255.0) or as a prefix length (24). */
export function parseAddressWithMask(
  key: string,
  value: string,
): { addr: string; mask: string; prefixLength: number } {
  const [addr, mask, extra] = value.split("/");
  if (mask === undefined || extra !== undefined || mask === "") {
    throw usage(`${key}: give the address with its subnet mask, e.g. ${key}=192.168.0.1/24`);
  }
  parseIpv4(key, addr!);
  if (/^[0-9]{1,2}$/.test(mask)) {
    const prefix = Number(mask);
    if (prefix < 1 || prefix > 32) throw usage(`${key}: prefix length /${mask} is outside 1-32`);
    return { addr: addr!, mask: prefixToMask(prefix), prefixLength: prefix };
  }
  const prefix = maskToPrefix(mask);
  if (prefix === undefined || prefix === 0) throw usage(`${key}: "${mask}" is not a subnet mask`);
  return { addr: addr!, mask, prefixLength: prefix };
}
