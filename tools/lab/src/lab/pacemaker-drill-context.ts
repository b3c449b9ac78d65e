// What a Pacemaker drill works with: its own cluster (the scenarios' PcmkLab: 2–3 real corosync +
// Pacemaker nodes, the haconn pair on the reset path, one ipmi_sim BMC per node), the timeline,
// and the records of every party read back into that timeline: Pacemaker's own log lines
// (pacemaker-fenced, -controld, -schedulerd), the connectors' reset logs and the BMCs' action logs.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { PcmkLab } from "../scenarios/pacemaker-fixture.js";
import { systemOf } from "../scenarios/pacemaker-fixture.js";
import type { DrillResult } from "./drill-context.js";
import { bmcPhase, connectorPhase, connectorText } from "./drill-events.js";
import { readResetLog } from "./resetlog.js";
import type { Phase, Timeline } from "./timeline.js";

export interface PacemakerDrill {
  name: string;
  summary: string;
  /** The cluster's node names (corosync names; haconn systems are their upper-case forms). */
  nodes: string[];
  run(ctx: PcmkDrillContext): Promise<DrillResult>;
}

export interface FenceRun {
  code: number;
  ms: number;
  output: string;
}

// Pacemaker 2.1's log line: "Dec 07 20:06:21.101 pn1 pacemaker-fenced    [30] (fn) \tnotice: text"
const PCMK_LINE =
  /^(\w{3}) (\d\d) (\d\d):(\d\d):(\d\d)\.(\d{3}) (\S+) (pacemaker-\w+)\s+\[\s*\d+\]\s+\(\S+\)\s+(\w+): (.*)$/;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** The Pacemaker log lines an operator follows through a fence, with their timeline phase. */
const PCMK_EVENTS: { re: RegExp; phase: Phase; daemon?: string }[] = [
  { re: /^Node \S+ state is now lost/, phase: "node lost", daemon: "pacemaker-controld" },
  { re: /^Our peer on the DC \(\S+\) is dead/, phase: "node lost" },
  { re: /^Cluster node \S+ will be fenced/, phase: "fence" },
  { re: /^Client \S+ wants to fence \(\w+\) /, phase: "fence" },
  { re: /^Requesting peer fencing \(\w+\) targeting/, phase: "fence" },
  { re: /^Requesting fencing \(\w+\) (of|targeting) /, phase: "fence" },
  { re: /^Operation '\w+' \[\d+\] targeting \S+ using \S+ returned/, phase: "fence" },
  { re: /^Operation '\w+' targeting \S+ by \S+ for \S+: /, phase: "fence" },
  { re: /^Peer \S+ was terminated \(\w+\) by \S+ on behalf of/, phase: "fence" },
  { re: /^Result of start operation for dummy on /, phase: "resource start" },
  { re: /^fence_haconn\[\d+\] stderr: \[ \S/, phase: "result" },
];

export interface PacemakerLogEvent {
  at: number;
  node: string;
  daemon: string;
  phase: Phase;
  text: string;
}

/** The fencing lines of one node's pacemaker.log written at or after `since` (local time, this year). */
export function parsePacemakerLog(
  text: string,
  since: number,
  year = new Date().getFullYear(),
): PacemakerLogEvent[] {
  const out: PacemakerLogEvent[] = [];
  for (const line of text.split("\n")) {
    const m = PCMK_LINE.exec(line);
    if (!m) continue;
    const [, mon, d, h, mi, s, ms, node, daemon, , what] = m;
    const at = new Date(year, MONTHS.indexOf(mon!), +d!, +h!, +mi!, +s!, +ms!).getTime();
    if (at < since) continue;
    const text = what!.replace(/ \| .*$/, "").trim();
    const hit = PCMK_EVENTS.find((e) => e.re.test(text) && (!e.daemon || e.daemon === daemon));
    if (hit) out.push({ at, node: node!, daemon: daemon!, phase: hit.phase, text });
  }
  return out;
}

export class PcmkDrillContext {
  constructor(
    readonly lab: PcmkLab,
    readonly timeline: Timeline,
    readonly print: (line: string) => void,
  ) {}

  /** `stonith_admin --reboot <target>` on `from`, as an administrator runs it. */
  async fence(from: string, target: string): Promise<FenceRun> {
    const t0 = Date.now();
    this.timeline.add(t0, "request", `stonith_admin@${from}`, `stonith_admin --reboot ${target}`);
    const r = await this.lab.cluster.exec(from, ["stonith_admin", "--reboot", target, "--timeout", "50"], {
      timeoutMs: 60_000,
    });
    const ms = Date.now() - t0;
    const output = `${r.out}${r.err}`.trim();
    this.timeline.add(
      Date.now(),
      "result",
      `stonith_admin@${from}`,
      `exit ${r.code}${output ? `: ${output.split("\n").at(-1)}` : ""}`,
    );
    return { code: r.code, ms, output };
  }

  async bmcActions(node: string, since: number) {
    return (await this.lab.bmcActions(node)).filter((a) => a.atMs >= since);
  }

  /** Every party's records since `since`: BMCs of `targets`, both connectors' reset logs, Pacemaker's logs of `observers`. */
  async record(since: number, targets: string[], observers: string[]): Promise<void> {
    const { lab, timeline } = this;
    for (const node of targets) {
      for (const a of await this.bmcActions(node, since))
        timeline.add(
          a.atMs,
          bmcPhase(a.action),
          `BMC ${systemOf(node)}`,
          `ipmi_sim: chassis ${a.action} carried out`,
        );
      const system = systemOf(node);
      for (const n of ["HACON1", "HACON2"] as const) {
        const dirs = lab.pair.nodeDirs[n];
        if (!dirs) continue;
        for (const e of readResetLog(join(dirs.log, "resetlog1"), since, system))
          timeline.add(e.at, connectorPhase(e), "connector", `${n} ${system}: ${connectorText(e)}`);
      }
    }
    for (const node of observers) {
      let text = "";
      try {
        text = readFileSync(join(lab.cluster.node(node).dir, "log-pacemaker", "pacemaker.log"), "utf8");
      } catch {
        continue;
      }
      for (const e of parsePacemakerLog(text, since))
        timeline.add(e.at, e.phase, `${e.daemon}@${e.node}`, e.text);
    }
  }

  /** Prints what Pacemaker shows: `stonith_admin --history <target>` and crm_mon's nodes and resources. */
  async showPacemaker(on: string, target: string): Promise<string> {
    const history = await this.lab.history(on, target);
    this.print(`  stonith_admin --history ${target} (on ${on}):`);
    for (const l of history.split("\n").filter((x) => x.trim() !== "")) this.print(`    ${l.trim()}`);
    const mon = await this.lab.crmMon(on);
    this.print(`  crm_mon -1 (on ${on}):`);
    for (const l of mon.split("\n"))
      if (/Online:|OFFLINE:|Started|Stopped|Current DC|stonith:|ocf:/.test(l)) this.print(`    ${l.trim()}`);
    return history;
  }

  /** How many "reboot of <target> successful" lines `on`'s fencing history holds. */
  async successes(on: string, target: string): Promise<number> {
    return (await this.lab.history(on, target))
      .split("\n")
      .filter((l) => l.trim().startsWith(`reboot of ${target} successful`)).length;
  }
}
