// Addresses and numbers the client sends: checked before anything goes on the wire.
import { isIPv4 } from "node:net";
import { MAX_NAME_LENGTH, MAX_U32 } from "@haconn/protocol";
import { ClientError } from "./errors.js";

/** An IPv4 address and a UDP port. */
export interface Endpoint {
  address: string;
  port: number;
}

/** Throws CLIENT_BAD_OPTION unless `e` is an IPv4 address with a port in min..65535. */
export function checkEndpoint(e: Endpoint, what: string, minPort = 1): Endpoint {
  if (typeof e?.address !== "string" || !isIPv4(e.address)) {
    throw new ClientError(
      "CLIENT_BAD_OPTION",
      `${what}: ${JSON.stringify(e?.address)} is not an IPv4 address`,
    );
  }
  if (!Number.isInteger(e.port) || e.port < minPort || e.port > 65535) {
    throw new ClientError("CLIENT_BAD_OPTION", `${what}: port must be ${minPort}..65535, got ${e.port}`);
  }
  return e;
}

/** Parses "<ipv4>:<port>" (or "<ipv4>" with `defaultPort`). */
export function parseEndpoint(text: string, what: string, defaultPort?: number): Endpoint {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})(?::(\d{1,5}))?$/.exec(text.trim());
  if (!m || (m[2] === undefined && defaultPort === undefined)) {
    throw new ClientError("CLIENT_BAD_OPTION", `${what} must be <ipv4>:<port>, got ${JSON.stringify(text)}`);
  }
  return checkEndpoint({ address: m[1]!, port: m[2] === undefined ? defaultPort! : Number(m[2]) }, what);
}

/** Throws CLIENT_BAD_OPTION unless `n` is a subsystem number (1..2^32-1). */
export function checkSubsystem(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 1 || n > MAX_U32) {
    throw new ClientError("CLIENT_BAD_OPTION", `${what} must be 1..4294967295, got ${n}`);
  }
  return n;
}

const NAME_RE = /^[A-Za-z0-9_-]*$/;

/** Throws CLIENT_BAD_OPTION unless `name` is a wire name of minLength..31 [A-Za-z0-9_-]. */
export function checkName(name: string, what: string, minLength = 1): string {
  if (
    typeof name !== "string" ||
    name.length < minLength ||
    name.length > MAX_NAME_LENGTH ||
    !NAME_RE.test(name)
  ) {
    throw new ClientError(
      "CLIENT_BAD_OPTION",
      `${what} must be ${minLength}..${MAX_NAME_LENGTH} characters of A-Z a-z 0-9 _ -, got ${JSON.stringify(name)}`,
    );
  }
  return name;
}

export function formatEndpoint(e: Endpoint): string {
  return `${e.address}:${e.port}`;
}
