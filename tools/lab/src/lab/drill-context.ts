// What a drill works with: the lab's state, the monitors of its clusters (in this process), the
// simulated devices, the connectors' reset logs (both nodes), and the timeline it fills in.
import { setTimeout as sleep } from "node:timers/promises";
import { LabBmc } from "./bmc.js";
import type { LabMonitors } from "./monitors.js";
import { LAB_NODES } from "./pair-topology.js";
import { labPaths, nodePaths } from "./paths.js";
import { type ResetLogEntry, readResetLog } from "./resetlog.js";
import { type EsxiRecord, type PduRecord, readJsonLines } from "./sims-info.js";
import type { UpState } from "./state.js";
import type { Timeline } from "./timeline.js";
import type { LabClusterName } from "./topology.js";

export interface DrillContext {
  state: UpState;
  dir: string;
  /** The product's bin/ (haconnshow for status checks). */
  bin: string;
  print: (line: string) => void;
  timeline: Timeline;
  monitors: LabMonitors;
  bmc(name: string): LabBmc;
  resetlog(since: number, system?: string): ResetLogEntry[];
  pdu(since: number): PduRecord[];
  esxi(since: number): EsxiRecord[];
}

export interface DrillResult {
  expected: string;
  got: string;
  pass: boolean;
}

export interface Drill {
  name: string;
  summary: string;
  /** Clusters whose monitors the drill runs (and registers first). */
  clusters: LabClusterName[];
  run(ctx: DrillContext): Promise<DrillResult>;
}

export function drillContext(
  base: Pick<DrillContext, "state" | "dir" | "bin" | "print" | "timeline" | "monitors">,
): DrillContext {
  const p = labPaths(base.dir);
  return {
    ...base,
    bmc: (name) => {
      const info = base.state.sims.bmcs[name];
      if (!info) throw new Error(`no BMC ${name} in this lab`);
      return new LabBmc(name, info, base.dir);
    },
    // Both nodes' reset logs: the active writes it, and the active may change during a drill.
    resetlog: (since, system) =>
      LAB_NODES.flatMap((n) => readResetLog(nodePaths(base.dir, n).resetlog, since, system)).sort(
        (a, b) => a.at - b.at,
      ),
    pdu: (since) => readJsonLines<PduRecord>(p.pduRecords).filter((r) => r.at >= since),
    esxi: (since) => readJsonLines<EsxiRecord>(p.esxiRecords).filter((r) => r.at >= since),
  };
}

/** Polls `probe` every `everyMs` until it returns something other than undefined/false. */
export async function waitUntil<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  everyMs = 25,
): Promise<T | undefined> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() >= until) return undefined;
    await sleep(everyMs);
  }
}
