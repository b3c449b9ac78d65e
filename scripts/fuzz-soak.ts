// The fuzz soak behind scripts/fuzz.sh: every decoder of packages/protocol and the CLI's argument
// parsers, N cases in all, shared among the targets by weight. Cases run in a worker thread; the
// main thread is a watchdog that reports the seed of a case that stops making progress (a
// synchronous hang cannot be interrupted from inside). Ends with `N cases, K failures`.
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { join } from "node:path";
import {
  type FuzzReport,
  type FuzzTarget,
  heapUsedAfterGc,
  runFuzz,
} from "../packages/protocol/src/test/fuzz.js";
import { loadFixtureCorpus, protocolFuzzTargets } from "../packages/protocol/src/test/fuzz-targets.js";
import { cliFuzzTargets } from "../apps/cli/src/testing/fuzz-targets.js";

/** Share of the cases per target: cheap decoders get more, in-process commands fewer. */
const WEIGHTS: Record<string, number> = {
  "reset-path-datagram": 30,
  "duplex-datagram": 20,
  "duplex-stream": 12,
  "fence-kdump": 8,
  "key-file": 10,
  "cli-values": 12,
  "cli-daemon-commands": 6,
  "cli-setup": 2,
};

interface Options {
  cases: number;
  seed: number;
  targets: string[];
  caseTimeoutMs: number;
  hangMs: number;
  root: string;
}

interface Job {
  options: Options;
  progress: SharedArrayBuffer;
}

type WorkerMessage =
  | { kind: "start"; target: string; cases: number }
  | { kind: "report"; report: FuzzReport; heapBefore: number; heapAfter: number };

function parseArgs(argv: string[]): Options {
  const o: Options = {
    cases: 1_000_000,
    seed: Math.floor(Math.random() * 0x1_0000_0000),
    targets: Object.keys(WEIGHTS),
    caseTimeoutMs: 2000,
    hangMs: 30_000,
    root: process.cwd(),
  };
  for (let i = 0; i < argv.length; i++) {
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${argv[i - 1]} needs a value`);
      return v;
    };
    switch (argv[i]) {
      case "--cases":
        o.cases = Number(value().replaceAll("_", ""));
        break;
      case "--seed":
        o.seed = Number(value()) >>> 0;
        break;
      case "--target":
        o.targets = value().split(",");
        break;
      case "--case-timeout-ms":
        o.caseTimeoutMs = Number(value());
        break;
      case "--root":
        o.root = value();
        break;
      case "-h":
      case "--help":
        process.stdout.write(
          "usage: scripts/fuzz.sh [--cases N] [--seed S] [--target a,b] [--case-timeout-ms MS]\n" +
            `targets: ${Object.keys(WEIGHTS).join(", ")}\n`,
        );
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${argv[i]}`);
    }
  }
  if (!Number.isInteger(o.cases) || o.cases < 1) throw new Error("--cases must be a positive integer");
  for (const t of o.targets) if (!(t in WEIGHTS)) throw new Error(`unknown target ${t}`);
  return o;
}

/** Cases per target: the weights' shares of N, at least one each, adding up to N. */
function share(o: Options): Map<string, number> {
  const total = o.targets.reduce((s, t) => s + WEIGHTS[t]!, 0);
  const out = new Map<string, number>();
  let given = 0;
  for (const t of o.targets) {
    const n = Math.max(1, Math.floor((o.cases * WEIGHTS[t]!) / total));
    out.set(t, n);
    given += n;
  }
  const first = o.targets[0]!;
  out.set(first, Math.max(1, out.get(first)! + o.cases - given));
  return out;
}

async function work(job: Job): Promise<void> {
  const { options } = job;
  const progress = new Int32Array(job.progress);
  const protocol = protocolFuzzTargets(
    loadFixtureCorpus(join(options.root, "packages/protocol/src/fixtures")),
  );
  const needCli = options.targets.some((t) => t.startsWith("cli-"));
  const cli = needCli ? await cliFuzzTargets() : undefined;
  const all: FuzzTarget[] = [...protocol, ...(cli?.targets ?? [])];
  try {
    for (const [name, cases] of share(options)) {
      const target = all.find((t) => t.name === name)!;
      parentPort!.postMessage({ kind: "start", target: name, cases } satisfies WorkerMessage);
      await runFuzz(target, { seed: (options.seed ^ 0x5bd1e995) >>> 0, cases: Math.min(cases, 200) }); // warm-up
      const heapBefore = await heapUsedAfterGc();
      const report = await runFuzz(target, {
        seed: options.seed,
        cases,
        caseTimeoutMs: options.caseTimeoutMs,
        maxFailures: 20,
        progressEvery: 1,
        onProgress: (_done, seed) => {
          Atomics.store(progress, 0, seed | 0);
          Atomics.add(progress, 1, 1);
        },
      });
      const heapAfter = await heapUsedAfterGc();
      parentPort!.postMessage({ kind: "report", report, heapBefore, heapAfter } satisfies WorkerMessage);
    }
  } finally {
    await cli?.close();
  }
}

const mib = (bytes: number) => (bytes / 1048576).toFixed(1);

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const progress = new SharedArrayBuffer(8);
  const view = new Int32Array(progress);
  process.stdout.write(
    `fuzz: ${options.cases} cases from seed ${options.seed} over ${options.targets.join(", ")}\n`,
  );
  const started = performance.now();
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { options, progress } satisfies Job,
  });
  let cases = 0;
  let failures = 0;
  let current = "";
  let lastCount = -1;
  let lastChange = performance.now();
  const outcome = await new Promise<"done" | "hang" | "crash">((resolve) => {
    const watchdog = setInterval(() => {
      const count = Atomics.load(view, 1);
      if (count !== lastCount) {
        lastCount = count;
        lastChange = performance.now();
      } else if (performance.now() - lastChange > options.hangMs) {
        const seed = Atomics.load(view, 0) >>> 0;
        process.stdout.write(
          `HANG ${current}: no progress for ${options.hangMs} ms after seed ${seed}; replay: scripts/fuzz.sh --target ${current} --seed ${seed + 1} --cases 1\n`,
        );
        failures += 1;
        clearInterval(watchdog);
        void worker.terminate();
        resolve("hang");
      }
    }, 500);
    worker.on("message", (m: WorkerMessage) => {
      if (m.kind === "start") {
        current = m.target;
        return;
      }
      const r = m.report;
      cases += r.cases;
      failures += r.failures.length;
      const rate = r.cases / (r.elapsedMs / 1000);
      const top = Object.entries(r.outcomes)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 8)
        .map(([k, v]) => `${k} ${((100 * v) / r.cases).toFixed(1)}%`)
        .join(", ");
      process.stdout.write(
        `${r.target.padEnd(20)} ${String(r.cases).padStart(8)} cases ${String(r.failures.length).padStart(3)} failures ` +
          `${Math.round(rate).toString().padStart(8)} cases/s  slowest ${r.maxCaseMs.toFixed(1)} ms  ` +
          `heap ${mib(m.heapBefore)} -> ${mib(m.heapAfter)} MiB  [${top}]\n`,
      );
      for (const f of r.failures) {
        process.stdout.write(
          `FAIL ${f.target} seed ${f.seed}: ${f.message}\n  replay: scripts/fuzz.sh --target ${f.target} --seed ${f.seed} --cases 1\n`,
        );
      }
    });
    worker.on("error", (error) => {
      process.stdout.write(`CRASH in ${current}: ${error.stack ?? String(error)}\n`);
      failures += 1;
      clearInterval(watchdog);
      resolve("crash");
    });
    worker.on("exit", () => {
      clearInterval(watchdog);
      resolve("done");
    });
  });
  const seconds = (performance.now() - started) / 1000;
  const mem = process.memoryUsage();
  process.stdout.write(
    `elapsed ${seconds.toFixed(1)} s, ${Math.round(cases / seconds)} cases/s overall, main rss ${Math.round(mem.rss / 1048576)} MiB (${outcome})\n`,
  );
  process.stdout.write(`${cases} cases, ${failures} failures\n`);
  return failures > 0 ? 1 : 0;
}

if (isMainThread) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: Error) => {
      process.stderr.write(`fuzz: ${error.message}\n`);
      process.exitCode = 2;
    },
  );
} else {
  await work(workerData as Job);
}
