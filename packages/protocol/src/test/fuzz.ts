// A small seeded fuzzing engine: a PRNG, byte and text mutators, and a runner that gives every
// case its own seed (base + i), so a failing case replays alone with that seed. No randomness
// comes from anywhere else. Used by this package's and the CLI's fuzz tests and by
// scripts/fuzz.sh (the soak).

/** mulberry32 over a splitmix32-mixed seed: fast, 32-bit state, good enough for test inputs. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = splitmix32(seed >>> 0);
  }

  /** 0 <= x < 2^32 */
  u32(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** 0 <= x < n (n >= 1) */
  int(n: number): number {
    return n <= 1 ? 0 : Math.floor((this.u32() / 0x1_0000_0000) * n);
  }

  /** min <= x <= max */
  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(p: number): boolean {
    return this.u32() / 0x1_0000_0000 < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }
}

export function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** FNV-1a of a name: mixes the target's name into its case seeds. */
export function nameHash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const INTERESTING_8 = [0, 1, 2, 0x7f, 0x80, 0xfe, 0xff];
const INTERESTING_32 = [
  0, 1, 2, 27, 28, 29, 44, 72, 255, 256, 548, 549, 0x7fff, 0xffff, 0x1_0000, 0x1f_ffff, 0x20_0000, 0x40_0000,
  0x40_0001, 0x7fff_ffff, 0x8000_0000, 0xffff_fffe, 0xffff_ffff,
];

/** One random structural change of a byte string (AFL-style havoc step). */
export function mutateBytes(rng: Rng, input: Uint8Array, donors: readonly Uint8Array[] = []): Uint8Array {
  const b = input.slice();
  const at = (extra = 0) => rng.int(Math.max(1, b.length - extra));
  switch (rng.int(12)) {
    case 0: {
      if (b.length === 0) return rng.bytes(rng.range(1, 4));
      const bit = rng.int(b.length * 8);
      b[bit >> 3]! ^= 1 << (bit & 7);
      return b;
    }
    case 1:
      if (b.length > 0) b[at()] = rng.u32() & 0xff;
      return b;
    case 2:
      if (b.length > 0) b[at()] = rng.pick(INTERESTING_8);
      return b;
    case 3: {
      if (b.length < 2) return b;
      const v = rng.pick(INTERESTING_32) & 0xffff;
      const i = at(1);
      b[i] = v >> 8;
      b[i + 1] = v & 0xff;
      return b;
    }
    case 4: {
      if (b.length < 4) return b;
      const v = rng.pick(INTERESTING_32);
      new DataView(b.buffer).setUint32(at(3), v, !rng.chance(0.8));
      return b;
    }
    case 5:
      return b.slice(0, rng.int(b.length + 1)); // truncate
    case 6: {
      const i = rng.int(b.length + 1);
      return concat([b.subarray(0, i), rng.bytes(rng.range(1, 32)), b.subarray(i)]);
    }
    case 7: {
      if (b.length === 0) return b;
      const i = at();
      const n = rng.range(1, Math.min(32, b.length - i));
      return concat([b.subarray(0, i), b.subarray(i + n)]); // delete a range
    }
    case 8: {
      if (b.length === 0) return b;
      const i = at();
      const n = rng.range(1, Math.min(64, b.length - i));
      const j = rng.int(b.length + 1);
      return concat([b.subarray(0, j), b.subarray(i, i + n), b.subarray(j)]); // duplicate a range
    }
    case 9: {
      if (donors.length === 0 || b.length === 0) return b;
      const d = rng.pick(donors);
      const cut = rng.int(b.length);
      return concat([b.subarray(0, cut), d.subarray(rng.int(d.length))]); // splice
    }
    case 10:
      return concat([b, rng.bytes(rng.range(1, 64))]);
    default: {
      if (b.length === 0) return b;
      const i = at();
      const n = rng.range(1, Math.min(8, b.length - i));
      b.fill(rng.pick(INTERESTING_8), i, i + n);
      return b;
    }
  }
}

/** One random change of a text (characters from the given alphabet, or any code unit). */
export function mutateText(rng: Rng, input: string, alphabet: readonly string[]): string {
  const i = rng.int(input.length + 1);
  const char = () =>
    rng.chance(0.8)
      ? rng.pick(alphabet)
      : String.fromCharCode(rng.chance(0.5) ? rng.int(128) : rng.int(0x10000));
  switch (rng.int(6)) {
    case 0:
      return input.slice(0, i) + char() + input.slice(i);
    case 1:
      return input.slice(0, i) + input.slice(i + rng.range(1, 4));
    case 2:
      return input.slice(0, i) + char() + input.slice(i + 1);
    case 3:
      return (
        input.slice(0, i) + input.slice(i, i + rng.range(1, 16)).repeat(rng.range(2, 4)) + input.slice(i)
      );
    case 4:
      return input.slice(0, rng.int(input.length + 1));
    default:
      return input.toUpperCase() === input ? input.toLowerCase() : input.toUpperCase();
  }
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Thrown by an oracle; anything else a case throws is a failure too (an unexpected throw). */
export class FuzzFailure extends Error {
  override readonly name = "FuzzFailure";
}

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new FuzzFailure(message);
}

// biome-ignore lint/suspicious/noConfusingVoidType: targets that count nothing return nothing
export type Outcome = string | undefined | void;

export interface FuzzTarget {
  name: string;
  /**
   * One case from its own PRNG. Throws (FuzzFailure from an oracle, or anything) on a failure.
   * May return an outcome label (e.g. "ok" or a drop reason), counted in the report.
   */
  run(rng: Rng): Outcome | Promise<Outcome>;
}

export interface FuzzOptions {
  /** Seed of case 0; case i uses seed + i (mod 2^32). */
  seed: number;
  cases: number;
  /** A case taking longer than this is a failure (a hang or a pathological input). */
  caseTimeoutMs?: number;
  /** Stop after this many failures (default 10). */
  maxFailures?: number;
  /** Called every `progressEvery` cases with the number done (the soak's watchdog). */
  onProgress?: (done: number, seed: number) => void;
  progressEvery?: number;
}

export interface FuzzFailureReport {
  target: string;
  seed: number;
  message: string;
}

export interface FuzzReport {
  target: string;
  cases: number;
  failures: FuzzFailureReport[];
  elapsedMs: number;
  /** Slowest single case. */
  maxCaseMs: number;
  /** How many cases ended with each outcome label. */
  outcomes: Record<string, number>;
}

/** The PRNG of case `seed` of `target`: the same for the soak, the tests and a replay. */
export function caseRng(target: string, seed: number): Rng {
  return new Rng((seed ^ nameHash(target)) >>> 0);
}

/** Runs `cases` cases of one target. Never throws: failures are collected with their seeds. */
export async function runFuzz(target: FuzzTarget, options: FuzzOptions): Promise<FuzzReport> {
  const timeoutMs = options.caseTimeoutMs ?? 1000;
  const maxFailures = options.maxFailures ?? 10;
  const every = options.progressEvery ?? 1000;
  const failures: FuzzFailureReport[] = [];
  const started = performance.now();
  let maxCaseMs = 0;
  let done = 0;
  const outcomes: Record<string, number> = {};
  for (; done < options.cases && failures.length < maxFailures; done++) {
    const seed = (options.seed + done) >>> 0;
    const t0 = performance.now();
    try {
      const returned = target.run(caseRng(target.name, seed));
      const outcome = returned instanceof Promise ? await withTimeout(returned, timeoutMs) : returned;
      if (typeof outcome === "string") outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    } catch (error) {
      failures.push({ target: target.name, seed, message: describe(error) });
    }
    const ms = performance.now() - t0;
    if (ms > maxCaseMs) maxCaseMs = ms;
    if (ms > timeoutMs && !failures.some((f) => f.seed === seed)) {
      failures.push({
        target: target.name,
        seed,
        message: `case took ${ms.toFixed(0)} ms > ${timeoutMs} ms`,
      });
    }
    if (options.onProgress && done % every === 0) options.onProgress(done, seed);
  }
  return {
    target: target.name,
    cases: done,
    failures,
    elapsedMs: performance.now() - started,
    maxCaseMs,
    outcomes,
  };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new FuzzFailure(`no answer within ${ms} ms (hang)`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function describe(error: unknown): string {
  if (error instanceof FuzzFailure) return error.message;
  if (error instanceof Error) return `unexpected ${error.name}: ${error.message}`;
  return `unexpected throw: ${String(error)}`;
}

/** The collector of a V8 heap when reachable (node --expose-gc, or enabled at run time). */
export async function heapUsedAfterGc(): Promise<number> {
  const gc = await loadGc();
  for (let i = 0; i < 3; i++) gc?.();
  return process.memoryUsage().heapUsed;
}

async function loadGc(): Promise<(() => void) | null> {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  try {
    const v8 = await import("node:v8");
    const vm = await import("node:vm");
    v8.setFlagsFromString("--expose-gc");
    return vm.runInNewContext("gc") as () => void;
  } catch {
    return null;
  }
}
