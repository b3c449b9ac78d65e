// IPv4 arithmetic for the reset-path subnet: the VIP's interface, the ATTENTION broadcast.

export function ipv4ToInt(a: string): number {
  const p = a.split(".").map(Number);
  return (((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0) as number;
}

export function sameSubnet(a: string, b: string, prefixLength: number): boolean {
  const mask = prefixLength === 0 ? 0 : (~0 << (32 - prefixLength)) >>> 0;
  return (ipv4ToInt(a) & mask) >>> 0 === (ipv4ToInt(b) & mask) >>> 0;
}

/** The subnet's broadcast address (ATTENTION copies by broadcast, when configured). */
export function broadcastAddress(addr: string, prefixLength: number): string {
  const host = prefixLength >= 32 ? 0 : 2 ** (32 - prefixLength) - 1;
  const b = (ipv4ToInt(addr) | host) >>> 0;
  return [b >>> 24, (b >>> 16) & 255, (b >>> 8) & 255, b & 255].join(".");
}
