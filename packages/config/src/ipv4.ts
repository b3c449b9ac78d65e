// IPv4 helpers: the manual handles IPv4 only (manual-digest §2.1).

const OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
/** Dotted-quad IPv4 without leading zeros, as a JSON Schema / RegExp pattern. */
export const IPV4_PATTERN = `^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`;
const IPV4 = new RegExp(IPV4_PATTERN);

export function isIpv4(text: string): boolean {
  return IPV4.test(text);
}

function toNumber(addr: string): number {
  return addr.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

function fromNumber(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

/** Prefix length of a dotted mask, or undefined when the mask is not contiguous ones then zeros. */
export function maskToPrefix(mask: string): number | undefined {
  if (!isIpv4(mask)) return undefined;
  const bits = toNumber(mask).toString(2).padStart(32, "0");
  const ones = bits.indexOf("0") === -1 ? 32 : bits.indexOf("0");
  return bits.slice(ones).includes("1") ? undefined : ones;
}

/** Dotted mask for a prefix length 0-32. */
export function prefixToMask(prefix: number): string {
  return fromNumber(prefix === 0 ? 0 : (2 ** 32 - 2 ** (32 - prefix)) >>> 0);
}

export interface AddressWithPort {
  addr: string;
  port: number;
}

/**
 * Parses `<ip>` or `<ip>:<port>` (the loopback-lab extension of the manual's syntax).
 * Returns a reason string when the text is not acceptable.
 */
export function parseAddressWithPort(text: string, defaultPort: number): AddressWithPort | string {
  const match = /^([^:]+)(?::([0-9]+))?$/.exec(text);
  if (!match) return `"${text}" is not an IPv4 address (optionally <ip>:<port>)`;
  const addr = match[1]!;
  if (!isIpv4(addr)) return `"${addr}" is not an IPv4 address`;
  if (match[2] === undefined) return { addr, port: defaultPort };
  const port = Number(match[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return `port ${match[2]} is outside 1-65535`;
  return { addr, port };
}

/** `addr` when the port is the default, else `addr:port`. */
export function formatAddress(addr: string, port: number, defaultPort: number): string {
  return port === defaultPort ? addr : `${addr}:${port}`;
}
