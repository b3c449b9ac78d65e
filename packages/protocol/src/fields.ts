// Field helpers shared by every body codec: range checks, enums and bit sets. Checks return a
// detail string when the value is out of range, undefined when it is valid.
import type { Reader, Writer } from "./cursor.js";
import { MAX_NAME_LENGTH, MAX_U32, MAX_U53 } from "./constants.js";

export type Check = string | undefined;

/** The structural failure of a body read (too short) or a value outside its enum. */
export interface BodyFail {
  fail: "bad-body" | "bad-field";
  detail: string;
}

export function isFail(v: unknown): v is BodyFail {
  return typeof v === "object" && v !== null && "fail" in v;
}

export function short(what: string): BodyFail {
  return { fail: "bad-body", detail: `body too short for ${what}` };
}

export function badField(detail: string): BodyFail {
  return { fail: "bad-field", detail };
}

/** Encode and decode of one message body, plus its range checks. */
export interface BodyCodec<B> {
  /** Upper-case name used in logs and docs, e.g. "CHECK". */
  readonly name: string;
  validate(body: B): Check;
  write(w: Writer, body: B): void;
  read(r: Reader): B | BodyFail;
}

export function checkInt(v: unknown, field: string, min: number, max: number): Check {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    return `${field} must be an integer in ${min}..${max}`;
  }
  return undefined;
}

export const checkU8 = (v: unknown, f: string, min = 0): Check => checkInt(v, f, min, 0xff);
export const checkU16 = (v: unknown, f: string, min = 0): Check => checkInt(v, f, min, 0xffff);
export const checkU32 = (v: unknown, f: string, min = 0): Check => checkInt(v, f, min, MAX_U32);
export const checkU53 = (v: unknown, f: string, min = 0): Check => checkInt(v, f, min, MAX_U53);

/** System, VM and node names: ASCII letters, digits, '_' and '-' (the manual's examples use '_'). */
const NAME_RE = /^[A-Za-z0-9_-]*$/;

export function checkName(v: unknown, field: string, min = 1, max = MAX_NAME_LENGTH): Check {
  if (typeof v !== "string" || v.length < min || v.length > max || !NAME_RE.test(v)) {
    return `${field} must be ${min}-${max} characters of [A-Za-z0-9_-]`;
  }
  return undefined;
}

export function checkHex(v: unknown, field: string, bytes: number): Check {
  if (typeof v !== "string" || v.length !== bytes * 2 || !/^[0-9a-f]*$/.test(v)) {
    return `${field} must be ${bytes * 2} lower-case hex digits`;
  }
  return undefined;
}

export function firstError(...checks: Check[]): Check {
  return checks.find((c) => c !== undefined);
}

/** A closed set of names carried as one byte. */
export class Enum<N extends string> {
  private readonly byWire = new Map<number, N>();
  readonly names: readonly N[];

  constructor(
    readonly field: string,
    private readonly byName: Readonly<Record<N, number>>,
  ) {
    for (const [name, wire] of Object.entries(byName) as [N, number][]) this.byWire.set(wire, name);
    this.names = Object.keys(byName) as N[];
  }

  check(v: unknown): Check {
    return typeof v === "string" && Object.hasOwn(this.byName, v)
      ? undefined
      : `${this.field} must be one of ${this.names.join(", ")}`;
  }

  toWire(name: N): number {
    return this.byName[name];
  }

  fromWire(n: number): N | BodyFail {
    return this.byWire.get(n) ?? badField(`${this.field}: unknown value ${n}`);
  }
}

/** A set of named bits carried as one byte; unknown bits are a bad-field on decode. */
export class Bits<N extends string> {
  readonly mask: number;

  constructor(
    readonly field: string,
    private readonly bits: Readonly<Record<N, number>>,
  ) {
    this.mask = Object.values<number>(bits).reduce((a, b) => a | b, 0);
  }

  check(v: unknown): Check {
    if (typeof v !== "object" || v === null) return `${this.field} must be an object of booleans`;
    for (const name of Object.keys(this.bits)) {
      if (typeof (v as Record<string, unknown>)[name] !== "boolean")
        return `${this.field}.${name} must be boolean`;
    }
    return undefined;
  }

  toWire(v: Readonly<Record<N, boolean>>): number {
    let n = 0;
    for (const [name, bit] of Object.entries(this.bits) as [N, number][]) if (v[name]) n |= bit;
    return n;
  }

  fromWire(n: number): Record<N, boolean> | BodyFail {
    if ((n & ~this.mask) !== 0) return badField(`${this.field}: reserved bits set (0x${n.toString(16)})`);
    const out = {} as Record<N, boolean>;
    for (const [name, bit] of Object.entries(this.bits) as [N, number][]) out[name] = (n & bit) !== 0;
    return out;
  }
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
}

export function fromHex(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, "hex"));
}
