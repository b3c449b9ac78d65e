// Helpers of the hamon-sim and dump-sim commands: key files and "k=v,k=v" specifications.
import { readFileSync, statSync } from "node:fs";
import { type KeyRing, parseKeyFile } from "@haconn/protocol";

export class HamonSimUsageError extends Error {
  override readonly name = "HamonSimUsageError";
  readonly code = "LAB_USAGE";
}

/** Reads a key file, refusing one that group or others can read (as ssh does). */
export function hamonSimReadKeyFile(path: string): KeyRing {
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new HamonSimUsageError(`key file ${path} has mode ${mode.toString(8)}; it must be 0600`);
  }
  return parseKeyFile(readFileSync(path, "utf8"));
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
