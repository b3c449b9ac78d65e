// Takeover benchmark (issues 6, 19): three failures of the active node — kill -9, a freeze
// (SIGSTOP) and a cut of the duplex LAN (takeover-modes.ts) — and, for each, the time until the
// standby has fenced it through its iLO (ipmi_sim), holds the VIP and answers a CHECK from the
// HA monitor's namespace, with the VIP's holders watched throughout. The peer is keepalived's
// VRRP failover in the same namespaces at the same detection budget (takeover-keepalived.ts),
// measured the same way (first answer through the VIP from the new holder), in the same run.
// Median and max over >= 20 runs per mode and product. Needs root and network namespaces;
// prefix hcx5.
//   pnpm --filter @haconn/bench build && node tools/bench/dist/takeover.bench.js
//     [--runs N (default 20 per mode)] [--peer-runs N (default = runs)] [--quick]
//     [--modes kill9,freeze,cut] [--json <file>] [--prefix P (namespace prefix, default hcx5)]

import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { netnsAvailable } from "../../lab/src/netns/index.js";
import { type BenchJson, type Figure, quickArg, writeBenchJson } from "./report-json.js";
import { takeoverFigures, takeoverTimelines } from "./takeover-figures.js";
import { HaconnPair, haconnTakeovers, type TakeoverRun } from "./takeover-haconn.js";
import {
  BUDGET_MS,
  KA_ADVERT_S,
  KA_MASTER_DOWN_MS,
  KA_PRIORITY,
  KEEPALIVED,
  KeepalivedPair,
  keepalivedTakeovers,
} from "./takeover-keepalived.js";
import { MON_ADDR, PREFIX, TakeoverLab } from "./takeover-lab.js";
import { runEcho, runProber } from "./takeover-probe.js";
import { type FailureMode, MODE_TEXT, modesArg } from "./takeover-modes.js";
import { ProberClient } from "./takeover-prober.js";
import { BUILT } from "./takeover-support.js";

const log = (line: string) => process.stdout.write(`${line}\n`);

function intArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const n = i >= 0 ? Number(process.argv[i + 1]) : Number.NaN;
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** Why this bench cannot run here, or undefined when it can. */
export function cannotRun(): string | undefined {
  if (!BUILT) return "haconnd and the CLI are not built (pnpm build)";
  if (!netnsAvailable()) return "needs root and network namespaces";
  return undefined;
}

async function keepalivedName(): Promise<string> {
  // keepalived prints its version on standard error.
  const v = await new Promise<string>((resolve) =>
    execFile(KEEPALIVED, ["--version"], { timeout: 5000 }, (_e, out, err) => resolve(`${out}${err}`)),
  );
  const m = /Keepalived v([\d.]+)/.exec(v);
  return `keepalived ${m?.[1] ?? "?"} VRRP (advert_int ${KA_ADVERT_S}, priority ${KA_PRIORITY})`;
}

async function measure(
  runs: number,
  peerRuns: number,
  modes: FailureMode[],
  prefix: string,
): Promise<Omit<BenchJson, "machine">> {
  const benchFile = fileURLToPath(import.meta.url);
  let lab: TakeoverLab | undefined;
  let ka: KeepalivedPair | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    log(`takeover bench: ${signal}, cleaning up`);
    void Promise.resolve(ka?.stopAll())
      .then(() => lab?.destroy())
      .finally(() => {
        ka?.cleanup();
        process.kill(process.pid, signal);
      });
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    lab = await TakeoverLab.create(log, prefix);
    const prober = new ProberClient(
      lab.spawnTracked(
        lab.inNs(lab.ns.mon, [process.execPath, benchFile, "--probe", MON_ADDR, "10001", "PSERVER1"]),
      ),
    );
    const what = modes.map((m) => MODE_TEXT[m]).join(", ");
    log(
      `detection budget: haconn heartbeat × missCount = ${BUDGET_MS} ms; keepalived advert_int ${KA_ADVERT_S} s, ` +
        `priority ${KA_PRIORITY}: master-down interval ${KA_MASTER_DOWN_MS.toFixed(1)} ms`,
    );
    log(`haconn: ${runs} takeovers per mode (${what}; default timing, ipmi_sim fencing)`);
    const haconn = await haconnTakeovers(new HaconnPair(lab, prober, log), runs, modes, log);
    const kaName = await keepalivedName();
    let kaRuns: TakeoverRun[] = [];
    if (existsSync(KEEPALIVED)) {
      log(`${kaName}: ${peerRuns} failovers per mode (${what}), same namespaces`);
      ka = new KeepalivedPair(lab, prober, benchFile);
      kaRuns = await keepalivedTakeovers(ka, peerRuns, modes, log);
    } else {
      log(`keepalived not installed (${KEEPALIVED}): no peer figure`);
    }
    return {
      bench: "takeover",
      figures: takeoverFigures(modes, haconn, kaRuns, kaName),
      timelines: takeoverTimelines(haconn, kaRuns),
    };
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await ka?.stopAll();
    ka?.cleanup();
    await lab?.destroy();
  }
}

function print(figures: Figure[]): void {
  log("");
  for (const f of figures) {
    const p = f.peer
      ? `   peer: ${f.peer.name}: median ${f.peer.median}, max ${f.peer.max} (n=${f.peer.n})`
      : "";
    const g = f.goal === undefined ? "" : `  goal ${f.goal}`;
    const v = f.pass === undefined ? "" : f.pass ? " [goal met]" : " [GOAL MISSED]";
    log(`${f.name}: median ${f.median} ${f.unit}, p99 ${f.p99}, max ${f.max} (n=${f.n})${g}${v}${p}`);
  }
}

async function main(): Promise<void> {
  const args = process.argv;
  const probe = args.indexOf("--probe");
  if (probe >= 0) return runProber(args[probe + 1]!, Number(args[probe + 2]), args[probe + 3]!);
  const echo = args.indexOf("--echo");
  if (echo >= 0) return runEcho(Number(args[echo + 1]), args[echo + 2]!);
  const quick = quickArg();
  const runs = intArg("--runs", quick ? 2 : 20);
  const modes = modesArg();
  const peerRuns = intArg("--peer-runs", quick ? 2 : runs);
  const why = cannotRun();
  if (why) {
    log(`takeover bench skipped: ${why}`);
    writeBenchJson({ bench: "takeover", figures: [], skipped: why });
    return;
  }
  const p = process.argv.indexOf("--prefix");
  const prefix = p >= 0 ? process.argv[p + 1]! : PREFIX;
  const result = await measure(runs, peerRuns, modes, prefix);
  print(result.figures);
  writeBenchJson(result);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
