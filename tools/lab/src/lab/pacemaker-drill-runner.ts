// `lab drill pacemaker-*`: a Pacemaker drill brings up its own cluster — real corosync + Pacemaker
// nodes (Debian's), the haconn pair serving them on the reset path and one ipmi_sim BMC per node,
// all in network namespaces of its own (addresses 10.81.x, only inside them) — runs, prints its
// timeline and verdict line, and tears everything down (processes, namespaces, files), also when
// it fails or is interrupted. It needs no `lab up` and does not touch a running lab.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { netnsAvailable } from "../netns/index.js";
import { PcmkLab } from "../scenarios/pacemaker-fixture.js";
import type { DrillResult } from "./drill-context.js";
import { type DrillOutcome, finishDrill, type Verdict } from "./drill-runner.js";
import { PACEMAKER_DRILLS } from "./drills/pacemaker-index.js";
import { LabError } from "./errors.js";
import { type PacemakerDrill, PcmkDrillContext } from "./pacemaker-drill-context.js";
import { repoRoot } from "./paths.js";
import { Timeline } from "./timeline.js";

/** Bring-up (pair + cluster ready) and the drill itself are each bounded. */
export const PCMK_SETUP_MS = 90_000;
export const PCMK_RUN_MS = 90_000;

const PROGRAMS = ["corosync", "pacemakerd", "stonith_admin", "crm_mon", "cibadmin", "ipmi_sim"];

/** Why this machine cannot run a Pacemaker drill, or undefined. */
export function pacemakerDrillBlocker(): string | undefined {
  if (process.getuid?.() !== 0) return "Pacemaker drills need root (network, mount and PID namespaces)";
  const missing = PROGRAMS.filter((p) => {
    try {
      execFileSync("which", [p], { stdio: "ignore" });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0)
    return `missing ${missing.join(", ")} (Debian packages pacemaker, corosync, pacemaker-cli-utils, pacemaker-resource-agents, fence-agents, openipmi)`;
  const repo = repoRoot();
  const unbuilt = ["apps/haconnd/dist/haconnd.js", "apps/cli/dist/fence_haconn.js"].filter(
    (f) => !existsSync(join(repo, f)),
  );
  if (unbuilt.length > 0) return `not built: ${unbuilt.join(", ")} (run scripts/lib/bootstrap.sh)`;
  if (!netnsAvailable()) return "network namespaces are not available here";
  return undefined;
}

function bounded<T>(what: string, ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

const message = (e: unknown) => (e instanceof Error ? e.message.split("\n")[0]! : String(e));

export async function runPacemakerDrill(
  drill: PacemakerDrill,
  print: (line: string) => void,
): Promise<DrillOutcome> {
  const blocker = pacemakerDrillBlocker();
  if (blocker) throw new LabError("LAB_NOT_UP", blocker);
  const started = Date.now();
  const prefix = `hpd${process.pid % 10000}`;
  print(`== drill ${drill.name}: ${drill.summary}`);
  print(
    `  own cluster: ${drill.nodes.join(", ")} (corosync + Pacemaker), the haconn pair HACON1/HACON2, one ipmi_sim BMC per node; namespaces ${prefix}-*`,
  );
  const lab = new PcmkLab({ prefix, nodes: drill.nodes, after: [["kdump", "on"]] });
  const timeline = new Timeline();
  const ctx = new PcmkDrillContext(lab, timeline, print);
  // Ctrl-C or a kill: tear down before leaving (the namespaces and node holders outlive us otherwise).
  let tornDown: Promise<void> | undefined;
  const tearDown = () => {
    tornDown ??= lab.tearDown().catch((e) => print(`  tear-down: ${message(e)}`));
    return tornDown;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    print(`  ${signal}: tearing the drill's cluster down`);
    void tearDown().then(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  let result: DrillResult;
  try {
    await bounded(
      "the cluster's start",
      PCMK_SETUP_MS,
      (async () => {
        await lab.setUp();
        await lab.waitReady();
      })(),
    );
    print(
      `  ready after ${((Date.now() - started) / 1000).toFixed(1)} s (active connector ${lab.pair.activeNode() ?? "?"})`,
    );
    result = await bounded(`drill ${drill.name}`, PCMK_RUN_MS, drill.run(ctx));
  } catch (error) {
    result = { expected: "the drill to run", got: `error: ${message(error)}`, pass: false };
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await tearDown();
  }
  const left = execFileSync("ip", ["netns", "list"], { encoding: "utf8" })
    .split("\n")
    .filter((l) => l.startsWith(`${prefix}-`));
  const leftHolders = lab.cluster?.nodes.filter((n) => n.holder?.alive).map((n) => n.name) ?? [];
  if (left.length > 0 || leftHolders.length > 0 || (lab.cluster && existsSync(lab.cluster.root)))
    result = {
      ...result,
      got: `${result.got}; tear-down left ${[...left, ...leftHolders].join(", ") || lab.cluster?.root}`,
      pass: false,
    };
  else print("  torn down: no node, namespace or file of the drill is left");
  return finishDrill(drill.name, timeline, result, started, print);
}

/** The Pacemaker drills `name` stands for ("pacemaker": all four), or undefined. */
export function pacemakerDrillsFor(name: string): PacemakerDrill[] | undefined {
  if (name === "pacemaker") return [...PACEMAKER_DRILLS];
  const d = PACEMAKER_DRILLS.find((x) => x.name === name);
  return d ? [d] : undefined;
}

/** Runs Pacemaker drills one after the other (each on a cluster of its own). */
export async function labPacemakerDrills(
  drills: PacemakerDrill[],
  print: (line: string) => void,
): Promise<DrillOutcome[]> {
  const outcomes: DrillOutcome[] = [];
  for (const d of drills) {
    if (outcomes.length > 0) print("");
    outcomes.push(await runPacemakerDrill(d, print));
  }
  if (drills.length > 1) {
    const count = (v: Verdict) => outcomes.filter((o) => o.verdict === v).length;
    print("");
    print(`drills: ${count("PASS")} passed, ${count("FAIL")} failed`);
  }
  return outcomes;
}
