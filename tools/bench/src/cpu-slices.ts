// Busy stretches of a Node main thread from a V8 .cpuprofile (issue 19: "no main-thread slice
// over 5 ms from polling"). A stretch is a run of consecutive samples that are not `(idle)`;
// it ends at the first idle sample, and also at a time gap between two samples longer than
// `gapFactor` sampling intervals: the sampler (a signal to the main thread) gets sparse when the
// thread is off the CPU (descheduled on a busy machine), so a gap is time the thread did not run
// and is not counted as work: the stretches are CPU work of the main thread, not waits for a
// CPU. Gaps are counted and reported separately. Each stretch is attributed per sample by its
// stack: `check` (the reset path's datagram handling), `polling` (the engine's poll timer and
// results, device status calls, ssh2, the ipmitool session, net-snmp and the drivers), `gc`,
// `other`; the stretch's attribution is the largest of check / polling / other (GC is paid by
// whoever allocated, so it does not vote; its share is shown), `gc` for a stretch of GC alone. Pure: the caller reads the file.

export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  /** µs, V8's monotonic clock (CLOCK_MONOTONIC on Linux: process.hrtime's). */
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export type SliceKind = "polling" | "check" | "gc" | "other";

export interface Stretch {
  /** µs on the profile's clock. */
  start: number;
  durationMs: number;
  samples: number;
  /** Samples per kind. */
  kinds: Record<SliceKind, number>;
  /** The largest of polling / check / other; gc when the stretch is GC only. */
  attribution: SliceKind;
  /** The stretch's heaviest frames by self samples, "function (module)". */
  top: string[];
}

export interface SliceAnalysis {
  stretches: Stretch[];
  /** Samples in the window, and how many were busy (not idle). */
  samples: number;
  busySamples: number;
  /** Busy samples in the window per kind. */
  kindSamples: Record<SliceKind, number>;
  /** Median sampling interval in the window, µs. */
  intervalUs: number;
  /** Gaps longer than gapFactor intervals inside the window: count and the longest, ms. */
  gaps: number;
  longestGapMs: number;
}

export interface SliceOptions {
  /** Only samples in [from, to] (µs, the profile's clock) count. */
  from?: number;
  to?: number;
  /** A gap longer than this many median intervals ends a stretch. Default 4. */
  gapFactor?: number;
  /** Module of a frame from its url and 0-based line (e.g. the bundle's source comments). */
  moduleOf?: (url: string, line: number) => string;
}

const POLL_MODULE =
  /ssh2|net-snmp|asn1-ber|cpu-features|packages\/(esxi|bmc|ipdu)\/|power-watch|haconnd\/src\/devices|core\/src\/executor/;
const POLL_FUNCTION = /^(pollSlice|pollTick|onPollTimer|onPollResult)$/;
const CHECK_MODULE = /reset-path|packages\/protocol\//;

function classify(stack: { fn: string; module: string }[], gc: boolean): SliceKind {
  if (stack.some((f) => CHECK_MODULE.test(f.module))) return "check";
  if (stack.some((f) => POLL_MODULE.test(f.module) || POLL_FUNCTION.test(f.fn))) return "polling";
  if (gc) return "gc";
  return "other";
}

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** The busy stretches of the profile's main thread, longest first. */
export function analyzeSlices(profile: CpuProfile, opts: SliceOptions = {}): SliceAnalysis {
  const moduleOf = opts.moduleOf ?? ((url: string) => url);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const kindOf = new Map<number, SliceKind>();
  const idle = new Set<number>();
  const label = new Map<number, string>();
  for (const n of profile.nodes) {
    const fn = n.callFrame.functionName;
    if (fn === "(idle)") idle.add(n.id);
    const stack: { fn: string; module: string }[] = [];
    for (let id: number | undefined = n.id; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id)!.callFrame;
      stack.push({ fn: f.functionName, module: f.url ? moduleOf(f.url, f.lineNumber) : "" });
    }
    kindOf.set(n.id, classify(stack, fn === "(garbage collector)"));
    label.set(n.id, `${fn || "(anonymous)"}${stack[0]!.module ? ` (${stack[0]!.module})` : ""}`);
  }

  const from = opts.from ?? Number.NEGATIVE_INFINITY;
  const to = opts.to ?? Number.POSITIVE_INFINITY;
  const times: number[] = [];
  let t = profile.startTime;
  for (const d of profile.timeDeltas) {
    t += d;
    times.push(t);
  }
  const deltas: number[] = [];
  for (let i = 1; i < times.length; i++)
    if (times[i]! >= from && times[i]! <= to) deltas.push(times[i]! - times[i - 1]!);
  const intervalUs = median(deltas) || 100;
  const gapUs = intervalUs * (opts.gapFactor ?? 4);

  const stretches: Stretch[] = [];
  let cur: { start: number; last: number; ids: number[] } | undefined;
  const close = (end: number) => {
    if (!cur) return;
    const kinds: Record<SliceKind, number> = { polling: 0, check: 0, gc: 0, other: 0 };
    const self = new Map<string, number>();
    for (const id of cur.ids) {
      kinds[kindOf.get(id)!]++;
      const l = label.get(id)!;
      self.set(l, (self.get(l) ?? 0) + 1);
    }
    const votes = (["polling", "check", "other"] as const).map((k) => [k, kinds[k]] as const);
    const winner = votes.reduce((a, b) => (b[1] > a[1] ? b : a));
    const attribution = winner[1] > 0 ? winner[0] : "gc";
    const top = [...self]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([l, n]) => `${l} ×${n}`);
    stretches.push({
      start: cur.start,
      durationMs: (end - cur.start) / 1000,
      samples: cur.ids.length,
      kinds,
      attribution,
      top,
    });
    cur = undefined;
  };
  let samples = 0;
  let busySamples = 0;
  const kindSamples: Record<SliceKind, number> = { polling: 0, check: 0, gc: 0, other: 0 };
  let gaps = 0;
  let longestGapUs = 0;
  let prev: number | undefined;
  for (let i = 0; i < profile.samples.length; i++) {
    const time = times[i]!;
    if (time < from || time > to) {
      close(prev ?? time);
      prev = undefined;
      continue;
    }
    samples++;
    if (prev !== undefined && time - prev > gapUs) {
      gaps++;
      longestGapUs = Math.max(longestGapUs, time - prev);
      // The thread was off the CPU (or the sampler was): the stretch ends one interval after
      // its last sample.
      close(prev + intervalUs);
    }
    const id = profile.samples[i]!;
    if (idle.has(id)) close(time);
    else {
      busySamples++;
      kindSamples[kindOf.get(id)!]++;
      if (cur) cur.ids.push(id);
      else cur = { start: time, last: time, ids: [id] };
      cur.last = time;
    }
    prev = time;
  }
  if (cur) close(cur.last + intervalUs);
  stretches.sort((a, b) => b.durationMs - a.durationMs);
  return {
    stretches,
    samples,
    busySamples,
    kindSamples,
    intervalUs,
    gaps,
    longestGapMs: longestGapUs / 1000,
  };
}

/**
 * Module of a line of a tsup/esbuild bundle, from the `// <path>` comments it writes before each
 * module's code (e.g. `// ../../node_modules/.pnpm/ssh2@1.17.0/node_modules/ssh2/lib/client.js`,
 * `// ../../packages/core/src/engine.ts`, or the bundled app's own `// src/devices.ts`, which is
 * given the prefix `self`, e.g. "apps/haconnd/").
 */
export function bundleModules(source: string, self = ""): (line: number) => string {
  const starts: { line: number; path: string }[] = [];
  const lines = source.split("\n");
  for (const [i, l] of lines.entries()) {
    const m = /^\/\/ ((?:\.\.\/)+\S+|src\/\S+)\.([cm]?[jt]s)$/.exec(l);
    if (!m) continue;
    const path = `${m[1]!}.${m[2]!}`;
    starts.push({
      line: i,
      path: path.startsWith("src/")
        ? `${self}${path}`
        : path.replace(/^(\.\.\/)+/, "").replace(/^node_modules\/\.pnpm\/[^/]+\//, ""),
    });
  }
  return (line) => {
    let lo = 0;
    let hi = starts.length - 1;
    let found = "";
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]!.line <= line) {
        found = starts[mid]!.path;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
}
