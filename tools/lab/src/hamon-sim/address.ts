// The lab's network rule: simulators bind to and send to 127.0.0.0/8 only, unless the caller
// states that it runs inside a network namespace it created (then any IPv4 address of it).
import { isIPv4 } from "node:net";

export class HamonSimAddressError extends Error {
  override readonly name = "HamonSimAddressError";
  readonly code = "LAB_ADDRESS_REFUSED";
}

export interface HamonSimEndpoint {
  address: string;
  port: number;
}

export function hamonSimIsLoopback(address: string): boolean {
  return isIPv4(address) && address.split(".")[0] === "127";
}

/** Throws HamonSimAddressError unless the address is loopback (or inNamespace is set). */
export function hamonSimCheckAddress(address: string, what: string, inNamespace = false): void {
  if (!isIPv4(address)) throw new HamonSimAddressError(`${what} ${address} is not an IPv4 address`);
  if (inNamespace || hamonSimIsLoopback(address)) return;
  throw new HamonSimAddressError(
    `${what} ${address} is outside 127.0.0.0/8; pass the in-namespace option only inside a namespace you created`,
  );
}

/** Parses "<ipv4>:<port>". */
export function hamonSimParseEndpoint(text: string, what: string): HamonSimEndpoint {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m || !isIPv4(m[1]!) || port < 1 || port > 65535) {
    throw new HamonSimAddressError(`${what} must be <ipv4>:<port>, got ${JSON.stringify(text)}`);
  }
  return { address: m[1]!, port };
}
