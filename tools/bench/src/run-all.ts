// One command for every benchmark of the project: runs each tools/bench/dist/*.bench.js in turn
// (never two at once: they measure time) with `--json <file>` (and `--quick` when given), keeps
// each one's output in <out>/<name>.log, then writes <out>/report.json, <out>/report.md and
// <out>/timelines.png. Goals missed are reported, not fatal; a bench that writes no JSON makes
// the exit status 1.
//   node tools/bench/dist/run-all.js [--quick] [--out DIR (default dist/bench)] [--only a,b]

import { spawn } from "node:child_process";
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { svgToPng } from "./plot-render.js";
import { timelinesSvg } from "./plot-timelines.js";
import { assembleReport, type BenchOutcome, renderMarkdown } from "./report-assemble.js";
import { machineInfo, quickArg } from "./report-json.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, "../../..");

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** The built benches next to this file, by name ("bmc", "takeover", ...). */
export function findBenches(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".bench.js"))
    .map((f) => f.slice(0, -".bench.js".length))
    .sort();
}

function runBench(name: string, out: string, quick: boolean, timeoutMs: number): Promise<BenchOutcome> {
  const jsonFile = join(out, `${name}.json`);
  rmSync(jsonFile, { force: true });
  const log = createWriteStream(join(out, `${name}.log`));
  const args = ["--enable-source-maps", join(HERE, `${name}.bench.js`), "--json", jsonFile];
  if (quick) args.push("--quick");
  process.stdout.write(`\n=== bench ${name}${quick ? " (quick)" : ""}\n`);
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
  let tail = "";
  const keep = (d: Buffer) => {
    log.write(d);
    tail = (tail + d.toString()).slice(-2000);
  };
  child.stdout.on("data", (d: Buffer) => {
    process.stdout.write(d);
    keep(d);
  });
  child.stderr.on("data", (d: Buffer) => {
    process.stderr.write(d);
    keep(d);
  });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on("SIGTERM", forward);
  const timer = setTimeout(() => {
    process.stderr.write(`bench ${name}: no end after ${timeoutMs / 1000} s, stopping it\n`);
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 15_000).unref();
  }, timeoutMs);
  return new Promise((done) => {
    child.once("close", (code) => {
      clearTimeout(timer);
      process.off("SIGTERM", forward);
      log.end();
      done({
        name,
        seconds: (performance.now() - started) / 1000,
        exitCode: code,
        ...(existsSync(jsonFile) ? { json: readFileSync(jsonFile, "utf8") } : {}),
        ...(code === 0 ? {} : { tail }),
      });
    });
  });
}

async function main(): Promise<void> {
  const quick = quickArg();
  const out = resolve(argValue("--out") ?? join(REPO, "dist/bench"));
  const only = argValue("--only")?.split(",");
  mkdirSync(out, { recursive: true });
  const benches = findBenches(HERE).filter((b) => !only || only.includes(b));
  const machine = machineInfo();
  process.stdout.write(
    `haconn benchmarks: ${benches.join(", ")}${quick ? " (quick)" : ""}\n` +
      `machine: ${machine.cpu}, ${machine.cores} cores, Linux ${machine.kernel}, Node ${machine.node}\n`,
  );
  const outcomes: BenchOutcome[] = [];
  for (const b of benches) outcomes.push(await runBench(b, out, quick, (quick ? 5 : 40) * 60_000));
  const report = assembleReport(outcomes, machine, quick);
  writeFileSync(join(out, "report.json"), `${JSON.stringify(report, null, 2)}\n`);
  const markdown = renderMarkdown(report);
  writeFileSync(join(out, "report.md"), markdown);
  const svg = timelinesSvg(report.timelines, {
    title: `haconn benchmarks — ${machine.cpu}, ${machine.cores} cores, ${machine.date.slice(0, 10)}${quick ? " (quick run)" : ""}`,
    goalMs: 1000,
  });
  writeFileSync(join(out, "timelines.svg"), svg);
  try {
    writeFileSync(join(out, "timelines.png"), svgToPng(svg));
  } catch (error) {
    process.stderr.write(`timelines.png not drawn: ${(error as Error).message}\n`);
  }
  process.stdout.write(
    `\n${markdown}\nreport: ${join(out, "report.md")}, ${join(out, "report.json")}, ${join(out, "timelines.png")}\n`,
  );
  if (report.benches.some((b) => b.status === "failed")) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
