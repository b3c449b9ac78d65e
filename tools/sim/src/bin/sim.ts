// The soak: `./scripts/sim.sh --seeds N [--seed S] [--verbose]`. Runs N seeds from S (default
// 1), prints each failing seed with its trace, and ends with `N runs, K violations`. With
// `--seed S` alone it replays that one seed with its full trace.

import type { AdversarySwitches } from "../adversary-plan.js";
import type { InjectedBugs } from "../scenario.js";
import { formatViolation, runBatch, runSeed } from "../index.js";

interface Args {
  seeds: number | null;
  seed: number | null;
  full: boolean;
  bugs: InjectedBugs;
  maxCutMs?: number;
  minRestartMs?: number;
  replication?: "acked" | "async";
  refence?: boolean;
  adversary: Partial<AdversarySwitches> | false;
}

function parseArgs(argv: readonly string[]): Args | string {
  const args: Args = { seeds: null, seed: null, full: false, bugs: {}, adversary: {} };
  const adv = (patch: Partial<AdversarySwitches>) => {
    if (args.adversary !== false) args.adversary = { ...args.adversary, ...patch };
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || !/^[0-9]{1,10}$/.test(v)) throw new Error(`${a}: expected a whole number`);
      return Number(v);
    };
    try {
      if (a === "--seeds") args.seeds = value();
      else if (a === "--seed") args.seed = value();
      else if (a === "--trace") args.full = true;
      else if (a === "--max-cut-ms") args.maxCutMs = value();
      else if (a === "--min-restart-ms") args.minRestartMs = value();
      else if (a === "--async") args.replication = "async";
      else if (a === "--refence") args.refence = true;
      else if (a === "--no-adversary") args.adversary = false;
      // Every adversary is on by default; these keep one kind out of a run.
      else if (a === "--no-adversary=squat") adv({ squatChecks: false });
      else if (a === "--no-adversary=ack-port-spoof") adv({ ackPortSpoof: false });
      else if (a === "--key-mode=on") adv({ keyMode: true });
      else if (a === "--key-mode=off") adv({ keyMode: false });
      else if (a === "--bug=ack-keys-by-address") args.bugs.ackKeysByAddress = true;
      else if (a === "--bug=key-mode-accepts-unsigned") args.bugs.keyModeAcceptsUnsigned = true;
      else if (a === "--bug=fence-without-reset") args.bugs.fenceWithoutReset = true;
      else if (a === "--bug=standby-answers") args.bugs.standbyAnswers = true;
      else if (a === "--bug=fence-flag-ignored") args.bugs.fenceFlagIgnored = true;
      else if (a === "--bug=notice-by-subsystem") args.bugs.noticeBySubsystem = true;
      else return `unknown argument ${a}`;
    } catch (error) {
      return (error as Error).message;
    }
  }
  return args;
}

function profile(args: Args) {
  return {
    bugs: args.bugs,
    adversary: args.adversary,
    ...(args.maxCutMs !== undefined ? { maxCutMs: args.maxCutMs } : {}),
    ...(args.minRestartMs !== undefined ? { minRestartMs: args.minRestartMs } : {}),
    ...(args.replication ? { replication: args.replication } : {}),
    ...(args.refence ? { refence: true } : {}),
  };
}

function main(): number {
  const args = parseArgs(process.argv.slice(2));
  if (typeof args === "string") {
    process.stderr.write(
      `sim: ${args}\nusage: sim.sh --seeds N [--seed S] [--trace] [--refence] [--key-mode=on|off] [--no-adversary[=squat|=ack-port-spoof]] [--bug=fence-without-reset|standby-answers|notice-by-subsystem|ack-keys-by-address|key-mode-accepts-unsigned|fence-flag-ignored]\n`,
    );
    return 2;
  }
  if (args.seeds === null && args.seed !== null) {
    const result = runSeed(args.seed, { ...profile(args), fullTrace: true });
    const lines = args.full || result.violations.length > 0 ? result.trace : result.trace.slice(-20);
    process.stdout.write(`${lines.join("\n")}\n`);
    for (const v of result.violations)
      process.stdout.write(`seed ${result.seed}: ${v.invariant} at ${v.at} ms: ${v.message}\n`);
    process.stdout.write(
      `reset path ${result.scenario.adversary.keyMode ? "key mode" : "insecure=on"}; ${result.insecureTakeovers} stale registrations taken by unsigned CHECKs (the no-key trade-off)\n`,
    );
    process.stdout.write(`1 runs, ${result.violations.length > 0 ? 1 : 0} violations\n`);
    return result.violations.length > 0 ? 1 : 0;
  }
  const count = args.seeds ?? 1000;
  const first = args.seed ?? 1;
  const batch = runBatch(first, count, profile(args));
  for (const f of batch.failures) process.stdout.write(`${formatViolation(f)}\n`);
  const perSec = batch.runs / (batch.elapsedMs / 1000);
  process.stderr.write(
    `seeds ${first}..${first + batch.runs - 1}: ${batch.steps} steps in ${(batch.elapsedMs / 1000).toFixed(1)} s (${perSec.toFixed(0)} runs/s)\n`,
  );
  process.stdout.write(
    `${batch.keyModeRuns} runs in key mode, ${batch.runs - batch.keyModeRuns} insecure=on; no-key trade-off (documented, not a violation): ${batch.insecureTakeovers} stale registrations or free slots taken by unsigned CHECKs in ${batch.insecureTakeoverRuns} insecure runs, ${batch.takenSlotUses} changes made through them\n`,
  );
  process.stdout.write(`${batch.requests} RESET requests, ${batch.fenceRequests} of them with FENCE\n`);
  process.stdout.write(`${batch.runs} runs, ${batch.failures.length} violations\n`);
  return batch.failures.length > 0 ? 1 : 0;
}

process.exitCode = main();
