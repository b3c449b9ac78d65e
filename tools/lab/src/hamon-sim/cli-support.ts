// Helpers of the hamon-sim and dump-sim commands: key files and "k=v,k=v" specifications.
import { loadKeyFile } from "@haconn/client";
import type { KeyRing } from "@haconn/protocol";

export class HamonSimUsageError extends Error {
  override readonly name = "HamonSimUsageError";
  readonly code = "LAB_USAGE";
}

/**
 * Reads a key file with @haconn/client's checks (a symlink, a file group or others can access,
 * another owner, over 64 KiB: refused), as every client of the reset path does.
 */
export function hamonSimReadKeyFile(path: string): KeyRing {
  return loadKeyFile(path);
}

/** Parses "a=1,b=x" into a record; every key must be among `allowed`. */
export function hamonSimParseSpec(text: string, allowed: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(",")) {
    const m = /^([a-z]+)=(.*)$/.exec(part.trim());
    if (!m || !allowed.includes(m[1]!)) {
      throw new HamonSimUsageError(
        `bad item ${JSON.stringify(part)}; expected ${allowed.map((a) => `${a}=`).join(" ")}`,
      );
    }
    out[m[1]!] = m[2]!;
  }
  return out;
}

export function hamonSimInt(text: string | undefined, what: string, min: number, max: number): number {
  const n = Number(text);
  if (text === undefined || !Number.isInteger(n) || n < min || n > max) {
    throw new HamonSimUsageError(`${what} must be an integer in ${min}..${max}`);
  }
  return n;
}
