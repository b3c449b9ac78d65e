// What the two pair drills share: the other node, the pair watch's findings on the timeline
// (VIP moves, the first CHECK answered by the new active, any split brain), the fence seen by
// the old active's BMC, and the restore (the fenced server comes back as standby, link OK).
import type { DrillContext } from "../drill-context.js";
import { restartNode } from "../drill-restore.js";
import { describePair, nodeRunning, type PairView, waitPairOk } from "../nodes.js";
import type { LabNode } from "../pair-topology.js";
import type { PairWatch } from "../pair-watch.js";
import {
  checkRuns,
  describeMove,
  firstAnsweredBy,
  type Overlap,
  overlaps,
  responderChanges,
  vipMoves,
} from "../vip-moves.js";

export const otherNode = (n: LabNode): LabNode => (n === "HACON1" ? "HACON2" : "HACON1");

/** The cluster whose monitor sends the back-to-back CHECKs of a pair drill. */
export const CHECK_SYSTEM = 10003;

export interface WatchFindings {
  /** When the VIP reached `to` after `since` (epoch ms). */
  vipOnAt: number | undefined;
  /** When CHECK was first answered by `to` as active after `since`. */
  checkAt: number | undefined;
  overlaps: Overlap[];
  /** Nodes saying "active" in the last samples. */
  finalActives: string[];
  finalHolders: string[];
  checks: string;
  /** Changes of the connector answering CHECK: 0 or 1 (a takeover); more is two answering in turn. */
  responderChanges: number;
}

export function addWatchEvents(
  ctx: DrillContext,
  watch: PairWatch,
  since: number,
  to: LabNode,
): WatchFindings {
  const t = ctx.state.topology;
  const what = t.netns ? `VIP ${t.resetPath.addr}` : `reset path ${t.resetPath.addr}:${t.resetPath.port}`;
  for (const m of vipMoves(watch.samples))
    if (m.at >= since) ctx.timeline.add(m.at, "VIP move", "sampler", describeMove(m, what));
  const first = firstAnsweredBy(
    watch.checks.filter((c) => c.role === "active"),
    to,
    since,
  );
  if (first)
    ctx.timeline.add(first.at, "CHECK", "hamon 10003", `first CHECK answered by the new active ${to}`);
  const found = overlaps(watch.samples);
  for (const o of found.slice(0, 5))
    ctx.timeline.add(o.at, "fault", "sampler", `SPLIT BRAIN: ${o.what} on ${o.nodes.join(" and ")} at once`);
  const last = watch.samples.slice(-3);
  const settled = (pick: (s: (typeof last)[number]) => string[]) => [
    ...new Set(last.flatMap((s) => pick(s).map((x) => x))),
  ];
  const vipOn = vipMoves(watch.samples).find((m) => m.at >= since && m.to === to);
  return {
    vipOnAt: vipOn?.at,
    checkAt: first?.at,
    overlaps: found,
    finalActives: settled((s) => s.actives).sort(),
    finalHolders: settled((s) => s.holders).sort(),
    checks: checkRuns(watch.checks.filter((c) => c.at >= since)),
    responderChanges: responderChanges(watch.checks),
  };
}

/** The old active's BMC carried out a hardware reset at or after `since`: the fence. */
export function addFence(ctx: DrillContext, node: LabNode, by: LabNode, since: number): number | undefined {
  const reset = ctx
    .bmc(node)
    .actions(since)
    .find((a) => a.action === "reset");
  if (reset)
    ctx.timeline.add(reset.atMs, "fence", `BMC ${node}`, `chassis reset carried out: ${by} fenced ${node}`);
  return reset?.atMs;
}

/** The fenced server comes back: its haconnd starts again and must join as standby with the link OK. */
export async function bringBack(ctx: DrillContext, node: LabNode): Promise<{ ok: boolean; view: PairView }> {
  if (!nodeRunning(ctx.dir, node)) {
    const r = await restartNode(ctx, node);
    ctx.timeline.add(
      r.at,
      "restart",
      "lab",
      `haconnd ${node} started again (its server is back from the reset)`,
    );
  }
  const back = await waitPairOk(ctx.dir, 30_000);
  ctx.timeline.add(
    Date.now(),
    "back to normal",
    "lab",
    back.ok ? `pair OK: ${describePair(back.view)}` : `pair NOT OK: ${describePair(back.view)}`,
  );
  return back;
}

export const ms = (from: number | undefined, to: number | undefined): string =>
  from !== undefined && to !== undefined ? `${Math.round(to - from)} ms` : "never";
