// The daemon bench's `--slices` option (issue 19 point 2): the daemon runs under V8's CPU
// profiler (`--cpu-prof`, a sample every SLICE_INTERVAL_US), its .cpuprofile is read after it
// exited, and the busy stretches of its main thread in the steady window (not start-up, not the
// storm) are attributed (cpu-slices.ts): the longest ones are printed, and the longest one from
// polling is a figure with the goal ≤ 5 ms. The profiler costs the daemon CPU (a signal and a
// stack walk per sample), so the figure is measured with it on and says so.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyzeSlices, bundleModules, type CpuProfile, type SliceAnalysis } from "./cpu-slices.js";
import { type Figure, figure } from "./report-json.js";

/** Sampling interval of the daemon's CPU profile, µs. */
export const SLICE_INTERVAL_US = 100;
/** The daemon launcher's own V8 flags (bin/_launch), kept under the profiler. */
const LAUNCH_FLAGS = "--max-semi-space-size=2 --no-parallel-scavenge";
const GOAL_MS = 5;

/** Monotonic µs, the CPU profile's clock (CLOCK_MONOTONIC on Linux). */
export const monoUs = () => Number(process.hrtime.bigint() / 1000n);

export class DaemonSlices {
  readonly dir = mkdtempSync(join(tmpdir(), "haconn-cpuprof-"));
  private window: [number, number] = [0, 0];

  /** Sets the daemon's V8 flags (HACONN_BENCH_DAEMON_NODE_ARGS) for a profiled run. */
  constructor() {
    const prof = `--cpu-prof --cpu-prof-dir=${this.dir} --cpu-prof-interval=${SLICE_INTERVAL_US}`;
    process.env.HACONN_BENCH_DAEMON_NODE_ARGS = `${process.env.HACONN_BENCH_DAEMON_NODE_ARGS ?? LAUNCH_FLAGS} ${prof}`;
  }

  steady(from: number, to: number): void {
    this.window = [from, to];
  }

  /** After the daemon exited: the analysis of its profile, figures and printed lines. */
  analyze(root: string, keep: boolean, pollIntervalMs: number, log: (line: string) => void): Figure[] {
    const files = readdirSync(this.dir).filter((f) => f.endsWith(".cpuprofile"));
    if (files.length === 0) {
      log(`slices: no .cpuprofile in ${this.dir} (did the daemon exit cleanly?)`);
      return [];
    }
    const profile = JSON.parse(readFileSync(join(this.dir, files[0]!), "utf8")) as CpuProfile;
    const bundle = readFileSync(join(root, "apps/haconnd/dist/haconnd.js"), "utf8");
    const lineModule = bundleModules(bundle, "apps/haconnd/");
    const options = {
      from: this.window[0],
      to: this.window[1],
      moduleOf: (url: string, line: number) => (url.endsWith("/haconnd.js") ? lineModule(line) || url : url),
    };
    const a = analyzeSlices(profile, options);
    log(
      `slices: ${files[0]}: steady window ${((this.window[0] - profile.startTime) / 1e6).toFixed(2)}–` +
        `${((this.window[1] - profile.startTime) / 1e6).toFixed(2)} s after the profile's start`,
    );
    printSlices(a, log);
    // The upper bound: a gap between samples counted as busy (the thread may have been descheduled
    // in it, or the sampler): a stretch then ends at an idle sample only.
    const bridged = analyzeSlices(profile, { ...options, gapFactor: Number.POSITIVE_INFINITY });
    const worst = bridged.stretches.find((s) => s.attribution === "polling");
    if (worst)
      log(
        `slices: upper bound, gaps counted as busy: longest polling stretch ${worst.durationMs.toFixed(2)} ms ` +
          `with ${worst.samples} samples (${((worst.samples * a.intervalUs) / 1000).toFixed(2)} ms sampled): ${worst.top.join("; ")}`,
      );
    if (keep) log(`slices: profile kept in ${this.dir}`);
    else rmSync(this.dir, { recursive: true, force: true });
    const polling = a.stretches.filter((s) => s.attribution === "polling").map((s) => s.durationMs);
    const longest = polling[0] ?? 0;
    const windowS = (this.window[1] - this.window[0]) / 1e6;
    // Sampled polling work per poll round: polling samples × the median interval.
    const perRoundMs = (a.kindSamples.polling * a.intervalUs) / 1000 / (windowS / (pollIntervalMs / 1000));
    log(
      `slices: polling work on the main thread ~${perRoundMs.toFixed(1)} ms per poll round (sampled, profiler on)`,
    );
    return [
      figure(
        "longest main-thread stretch from polling (steady, CPU profile)",
        "ms",
        polling.length > 0 ? polling : [0],
        {
          goal: `max ≤ ${GOAL_MS} ms`,
          pass: longest <= GOAL_MS,
        },
      ),
      figure("main-thread stretches from polling over 5 ms (steady, CPU profile)", "count", [
        polling.filter((d) => d > GOAL_MS).length,
      ]),
      figure("longest polling stretch, gaps counted as busy (upper bound)", "ms", [worst?.durationMs ?? 0]),
      figure("main-thread polling work per poll round (steady, CPU profile)", "ms", [perRoundMs]),
      figure("main-thread busy share (steady, CPU profile, profiler on)", "%", [
        (a.busySamples / Math.max(1, a.samples)) * 100,
      ]),
    ];
  }
}

function printSlices(a: SliceAnalysis, log: (line: string) => void): void {
  const windowMs = (a.samples * a.intervalUs) / 1000;
  log(
    `slices: steady window ~${(windowMs / 1000).toFixed(1)} s, ${a.samples} samples (median interval ${a.intervalUs} µs), ` +
      `${a.busySamples} busy; ${a.gaps} gaps > 4 intervals (longest ${a.longestGapMs.toFixed(1)} ms) end a stretch ` +
      "(the thread was off the CPU: not counted as work)",
  );
  log(
    "slices: measured with the CPU profiler on (a signal and a stack walk per sample): " +
      "stretches are somewhat longer than without it",
  );
  const byKind = new Map<string, number>();
  for (const s of a.stretches)
    if (s.durationMs > 1) byKind.set(s.attribution, (byKind.get(s.attribution) ?? 0) + 1);
  log(
    `slices: stretches over 1 ms by attribution: ${[...byKind].map(([k, n]) => `${k} ${n}`).join(", ") || "none"}`,
  );
  for (const s of a.stretches.slice(0, 12)) {
    const k = s.kinds;
    log(
      `slices: ${s.durationMs.toFixed(2)} ms ${s.attribution} (polling ${k.polling}, check ${k.check}, gc ${k.gc}, other ${k.other} samples): ${s.top.join("; ")}`,
    );
  }
}
