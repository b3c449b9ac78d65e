// Takeover benchmark (issue 6): kill -9 of the active haconnd → the standby has fenced it
// through its iLO (ipmi_sim), holds the VIP and answers a CHECK from the HA monitor's
// namespace. Median and max over >= 20 runs with default timing; the peer figure is keepalived's
// VRRP failover (default advert_int 1) in the same namespaces, measured the same way (first
// answer through the VIP from the new holder). Needs root and network namespaces; prefix hcx5.
//   pnpm --filter @haconn/bench build && node tools/bench/dist/takeover.bench.js
//     [--runs N (default 20)] [--peer-runs N (default = runs)] [--quick] [--json <file>]
//     [--prefix P (namespace prefix, default hcx5)]

import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { netnsAvailable } from "../../lab/src/netns/index.js";
import {
  type BenchJson,
  type Figure,
  figure,
  peer,
  quickArg,
  type Timeline,
  writeBenchJson,
} from "./report-json.js";
import { HaconnPair, haconnTakeovers, type TakeoverRun } from "./takeover-haconn.js";
import { KEEPALIVED, KeepalivedPair, keepalivedTakeovers } from "./takeover-keepalived.js";
import { MON_ADDR, PREFIX, TakeoverLab } from "./takeover-lab.js";
import { runEcho, runProber } from "./takeover-probe.js";
import { ProberClient } from "./takeover-prober.js";
import { BUILT } from "./takeover-support.js";

const GOAL_MS = 1000;
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

const ok = (runs: TakeoverRun[], key: "answerMs" | "vipMs" | "fencedMs") =>
  runs.flatMap((r) => (r.error === undefined && r[key] !== undefined ? [r[key]!] : []));

export function takeoverFigures(haconn: TakeoverRun[], ka: TakeoverRun[], kaName: string): Figure[] {
  const answers = ok(haconn, "answerMs");
  const kaAnswers = ok(ka, "answerMs");
  const median = figure("x", "ms", answers).median;
  const figures: Figure[] = [
    figure("takeover: kill -9 of the active → new active answers CHECK on the VIP", "ms", answers, {
      goal: `median ≤ ${GOAL_MS} ms`,
      pass: answers.length > 0 && median <= GOAL_MS && answers.length === haconn.length,
      ...(kaAnswers.length
        ? { peer: peer(`${kaName}: kill -9 MASTER → VIP answers from BACKUP`, kaAnswers) }
        : {}),
    }),
    figure("takeover: kill -9 of the active → VIP on the standby", "ms", ok(haconn, "vipMs"), {
      ...(ka.length ? { peer: peer(`${kaName}: VIP on the BACKUP`, ok(ka, "vipMs")) } : {}),
    }),
    figure("takeover: kill -9 of the active → old active fenced (iLO reset)", "ms", ok(haconn, "fencedMs")),
    figure(
      "takeover: two nodes holding the VIP at once",
      "ms",
      haconn.map((r) => r.overlapMs),
      {
        goal: "max = 0 ms",
        pass: haconn.length > 0 && haconn.every((r) => r.overlapMs === 0),
        ...(ka.length
          ? {
              peer: peer(
                `${kaName}: until the dead master's host is cleaned up`,
                ka.map((r) => r.overlapMs),
              ),
            }
          : {}),
      },
    ),
  ];
  return figures;
}

export function takeoverTimelines(haconn: TakeoverRun[], ka: TakeoverRun[]): Timeline[] {
  const phases = (r: TakeoverRun, answer: string): Record<string, number> => {
    const p: [string, number | undefined][] = [
      ["fenced", r.fencedMs],
      ["VIP added", r.vipMs],
      [answer, r.answerMs],
    ];
    return Object.fromEntries(
      p
        .filter((e): e is [string, number] => e[1] !== undefined)
        .map(([k, v]) => [k, Math.round(v * 10) / 10]),
    );
  };
  return [
    ...haconn.map((r) => ({ run: r.run, label: "haconn takeover", phases: phases(r, "CHECK answered") })),
    ...ka.map((r) => ({ run: r.run, label: "keepalived takeover", phases: phases(r, "VIP answers") })),
  ];
}

async function keepalivedName(): Promise<string> {
  // keepalived prints its version on standard error.
  const v = await new Promise<string>((resolve) =>
    execFile(KEEPALIVED, ["--version"], { timeout: 5000 }, (_e, out, err) => resolve(`${out}${err}`)),
  );
  const m = /Keepalived v([\d.]+)/.exec(v);
  return `keepalived ${m?.[1] ?? "?"} VRRP (advert_int 1)`;
}

async function measure(runs: number, peerRuns: number, prefix: string): Promise<Omit<BenchJson, "machine">> {
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
    log(`haconn: ${runs} takeovers (kill -9 of the active, default timing, ipmi_sim fencing)`);
    const haconn = await haconnTakeovers(new HaconnPair(lab, prober, log), runs, log);
    const kaName = await keepalivedName();
    let kaRuns: TakeoverRun[] = [];
    if (existsSync(KEEPALIVED)) {
      log(`${kaName}: ${peerRuns} failovers (kill -9 of the MASTER), same namespaces`);
      ka = new KeepalivedPair(lab, prober, benchFile);
      kaRuns = await keepalivedTakeovers(ka, peerRuns, log);
    } else {
      log(`keepalived not installed (${KEEPALIVED}): no peer figure`);
    }
    return {
      bench: "takeover",
      figures: takeoverFigures(haconn, kaRuns, kaName),
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
    const p = f.peer ? `   peer: ${f.peer.name}: median ${f.peer.median} p99 ${f.peer.p99}` : "";
    const v = f.pass === undefined ? "" : f.pass ? "  [goal met]" : "  [GOAL MISSED]";
    log(`${f.name}: median ${f.median} ${f.unit}, p99 ${f.p99}, max ${f.max} (n=${f.n})${v}${p}`);
  }
}

async function main(): Promise<void> {
  const args = process.argv;
  const probe = args.indexOf("--probe");
  if (probe >= 0) return runProber(args[probe + 1]!, Number(args[probe + 2]), args[probe + 3]!);
  const echo = args.indexOf("--echo");
  if (echo >= 0) return runEcho(Number(args[echo + 1]), args[echo + 2]!);
  const quick = quickArg();
  const runs = intArg("--runs", quick ? 3 : 20);
  const peerRuns = intArg("--peer-runs", quick ? 2 : runs);
  const why = cannotRun();
  if (why) {
    log(`takeover bench skipped: ${why}`);
    writeBenchJson({ bench: "takeover", figures: [], skipped: why });
    return;
  }
  const p = process.argv.indexOf("--prefix");
  const prefix = p >= 0 ? process.argv[p + 1]! : PREFIX;
  const result = await measure(runs, peerRuns, prefix);
  print(result.figures);
  writeBenchJson(result);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
