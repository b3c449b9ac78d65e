// Many seeds in a row (the CI budget and the soak), and the report of a failing seed.

import { type RunOptions, type RunResult, runSeed } from "./simulation.js";

export interface BatchResult {
  runs: number;
  failures: RunResult[];
  steps: number;
  elapsedMs: number;
  /** Runs in key mode (the rest: insecure=on). */
  keyModeRuns: number;
  /** Insecure mode's documented trade-off: stale registrations taken by unsigned CHECKs, and in how many runs. */
  insecureTakeovers: number;
  insecureTakeoverRuns: number;
  takenSlotUses: number;
  /** RESET requests the HA monitors sent, and how many of them carried FENCE. */
  requests: number;
  fenceRequests: number;
}

export function runBatch(
  firstSeed: number,
  count: number,
  opts: RunOptions & { maxFailures?: number } = {},
): BatchResult {
  const started = performance.now();
  const failures: RunResult[] = [];
  let steps = 0;
  let runs = 0;
  let keyModeRuns = 0;
  let insecureTakeovers = 0;
  let insecureTakeoverRuns = 0;
  let takenSlotUses = 0;
  let requests = 0;
  let fenceRequests = 0;
  for (let k = 0; k < count; k++) {
    const result = runSeed((firstSeed + k) >>> 0, opts);
    runs++;
    steps += result.steps;
    if (result.scenario.adversary.keyMode) keyModeRuns++;
    insecureTakeovers += result.insecureTakeovers;
    takenSlotUses += result.takenSlotUses;
    requests += result.requests;
    fenceRequests += result.fenceRequests;
    if (result.insecureTakeovers > 0) insecureTakeoverRuns++;
    if (result.violations.length > 0) {
      failures.push(result);
      if (failures.length >= (opts.maxFailures ?? Number.POSITIVE_INFINITY)) break;
    }
  }
  return {
    runs,
    failures,
    steps,
    elapsedMs: performance.now() - started,
    keyModeRuns,
    insecureTakeovers,
    insecureTakeoverRuns,
    takenSlotUses,
    requests,
    fenceRequests,
  };
}

export function formatViolation(result: RunResult, traceLines = 25): string {
  const v = result.violations[0];
  const head = v
    ? `seed ${result.seed}: ${v.invariant} at ${v.at} ms: ${v.message}`
    : `seed ${result.seed}: ok`;
  const trace = result.trace.slice(-traceLines).map((l) => `  ${l}`);
  return [head, `  replay: ./scripts/sim.sh --seed ${result.seed}`, ...trace].join("\n");
}
