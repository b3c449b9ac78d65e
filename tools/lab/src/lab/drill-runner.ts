// `lab drill <name>|all`: one drill at a time against a running lab (a lock file keeps two
// drill commands apart: they would bind the same monitor addresses). Each drill prints its
// timeline and a verdict line: `verdict: PASS|FAIL <drill> (expected …, got …)`.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { type Drill, drillContext, type DrillResult } from "./drill-context.js";
import { prepare } from "./drill-restore.js";
import { DRILLS } from "./drills/index.js";
import { PACEMAKER_DRILLS } from "./drills/pacemaker-index.js";
import { LabError } from "./errors.js";
import { LabMonitors } from "./monitors.js";
import { labPaths, programs } from "./paths.js";
import { isLabProcess } from "./processes.js";
import { requireUp, type UpState } from "./state.js";
import { formatTimeline, type Phase, Timeline } from "./timeline.js";
import { LAB_SYSTEMS } from "./topology.js";

export type Verdict = "PASS" | "FAIL";

export interface DrillOutcome extends DrillResult {
  name: string;
  verdict: Verdict;
  ms: number;
}

function lock(dir: string): () => void {
  const path = labPaths(dir).drillLock;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch {
      const holder = Number(readFileSync(path, "utf8").trim());
      let alive = false;
      try {
        process.kill(holder, 0);
        alive = holder > 0;
      } catch {
        alive = false;
      }
      if (alive) throw new LabError("LAB_BUSY", `a drill is running (pid ${holder})`);
      rmSync(path, { force: true }); // left by a drill that died
    }
  }
  throw new LabError("LAB_BUSY", `cannot take ${path}`);
}

const PHASES: Phase[] = [
  "kill",
  "node lost",
  "link down",
  "fence",
  "VIP move",
  "CHECK",
  "request",
  "NMI",
  "dump notice",
  "hardware reset",
  "PDU cut",
  "ATTENTION",
  "result",
  "PDU restore",
  "link up",
  "restart",
  "resource start",
  "back to normal",
];

/** "phases (ms after the first request): NMI 130 · ATTENTION 250 · result 251" */
export function phaseSummary(t: Timeline): string | undefined {
  const start = t.sorted()[0];
  if (!start) return undefined;
  // The party that carried a phase out is the better witness: the BMC for the NMI, the monitor
  // for the ATTENTION it received; the connector's own log line otherwise.
  const parts = PHASES.flatMap((p) => {
    const all = t.sorted().filter((x) => x.phase === p && x.at >= start.at && x !== start);
    // A VIP move is over when the address arrives (the last move), not when it leaves.
    const e = p === "VIP move" ? all.at(-1) : (all.find((x) => x.source !== "connector") ?? all[0]);
    return e ? [`${p} ${Math.round(e.at - start.at)}`] : [];
  });
  return parts.length > 0 ? `  phases (ms after the first ${start.phase}): ${parts.join(" · ")}` : undefined;
}

export function findDrill(name: string): Drill {
  const d = DRILLS.find((x) => x.name === name);
  if (!d)
    throw new LabError(
      "LAB_UNKNOWN_DRILL",
      `no drill ${name}; drills: ${[...DRILLS, ...PACEMAKER_DRILLS].map((x) => x.name).join(", ")}, all, pacemaker`,
    );
  return d;
}

async function runOne(
  state: UpState,
  drill: Drill,
  bin: string,
  print: (l: string) => void,
): Promise<DrillOutcome> {
  const started = Date.now();
  print(`== drill ${drill.name}: ${drill.summary}`);
  const systems = LAB_SYSTEMS.filter((s) => drill.clusters.includes(s.cluster));
  const monitors = await LabMonitors.start(state, systems);
  const timeline = new Timeline();
  const ctx = drillContext({ state, dir: state.dir, bin, print, timeline, monitors });
  let result: DrillResult;
  try {
    if (!(await prepare(ctx, systems))) print("  warning: not every system was normal before the drill");
    result = await drill.run(ctx);
  } catch (error) {
    result = {
      expected: "the drill to run",
      got: `error: ${error instanceof Error ? error.message : String(error)}`,
      pass: false,
    };
  } finally {
    await monitors.stop();
  }
  return finishDrill(drill.name, timeline, result, started, print);
}

/** Prints the timeline, its phase summary and the verdict line; the drill's outcome. */
export function finishDrill(
  name: string,
  timeline: Timeline,
  result: DrillResult,
  started: number,
  print: (line: string) => void,
): DrillOutcome {
  for (const line of formatTimeline(timeline)) print(line);
  const summary = phaseSummary(timeline);
  if (summary) print(summary);
  const verdict: Verdict = result.pass ? "PASS" : "FAIL";
  print(`verdict: ${verdict} ${name} (expected ${result.expected}, got ${result.got})`);
  return { name, verdict, ...result, ms: Date.now() - started };
}

/** Runs `name` (or every drill for "all"); returns the outcomes in order. */
export async function labDrill(options: {
  dir: string;
  name: string;
  print: (line: string) => void;
}): Promise<DrillOutcome[]> {
  const { dir, name, print } = options;
  const drills = name === "all" ? DRILLS : [findDrill(name)];
  const state = requireUp(dir);
  // The simulators must run; a node that is down is started again by the drill's preparation.
  for (const p of state.processes.filter((x) => !x.name.startsWith("haconnd")))
    if (!isLabProcess(p.pid, dir))
      throw new LabError("LAB_NOT_UP", `${p.name} (pid ${p.pid}) is not running: run lab up again`);
  const { bin } = programs();
  const release = lock(dir);
  const outcomes: DrillOutcome[] = [];
  try {
    for (const d of drills) {
      if (outcomes.length > 0) print("");
      outcomes.push(await runOne(state, d, bin, print));
    }
  } finally {
    release();
  }
  if (drills.length > 1) {
    print("");
    const count = (v: Verdict) => outcomes.filter((o) => o.verdict === v).length;
    print(`drills: ${count("PASS")} passed, ${count("FAIL")} failed`);
  }
  return outcomes;
}
