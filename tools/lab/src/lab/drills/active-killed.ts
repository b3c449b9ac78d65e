// The active management server's haconnd dies (kill -9). The standby sees its state-sync
// connection drop and its reconnect refused, and once heartbeats have been missing for
// missCount − 1 intervals fences the old active through its BMC (a hardware reset, which the lab
// makes real: the server's processes die and its addresses go), takes the VIP and answers CHECK.
// Sampled all along: who holds the VIP, who says it is active, who answers CHECK.
import { setTimeout as sleep } from "node:timers/promises";
import type { Drill } from "../drill-context.js";
import { activeNode, nodePid, signalNode } from "../nodes.js";
import { PairWatch } from "../pair-watch.js";
import { firstAnsweredBy } from "../vip-moves.js";
import { addFence, addWatchEvents, bringBack, CHECK_SYSTEM, ms, otherNode } from "./pair-common.js";

/** Kill to first CHECK answered by the new active: generous for a loaded 2-core machine. */
export const TAKEOVER_LIMIT_MS = 10_000;

export const activeKilled: Drill = {
  name: "active-killed",
  summary:
    "kill -9 the active haconnd: the standby fences it through its BMC, takes the VIP and answers CHECK (takeover time)",
  clusters: ["one-to-one"],
  async run(ctx) {
    const old = await activeNode(ctx.dir);
    if (!old)
      return { expected: "one active node", got: "no single active node before the drill", pass: false };
    const heir = otherNode(old);
    const watch = new PairWatch(ctx.state, ctx.monitors.get(CHECK_SYSTEM));
    let killAt = 0;
    try {
      await sleep(400); // who holds what before the fault
      const pid = nodePid(ctx.dir, old);
      killAt = Date.now();
      signalNode(ctx.dir, old, "SIGKILL");
      ctx.timeline.add(killAt, "kill", "lab", `kill -9 haconnd ${old} (pid ${pid}), the active`);
      await watch.until(
        (w) =>
          firstAnsweredBy(
            w.checks.filter((c) => c.role === "active"),
            heir,
            killAt,
          ) !== undefined,
        TAKEOVER_LIMIT_MS + 5000,
      );
      await sleep(600); // and after it
    } finally {
      await watch.stop();
    }
    const fencedAt = addFence(ctx, old, heir, killAt);
    const f = addWatchEvents(ctx, watch, killAt, heir);
    const takeover = f.checkAt !== undefined ? f.checkAt - killAt : undefined;
    const back = await bringBack(ctx, old);
    const oneActive = f.finalActives.length === 1 && f.finalActives[0] === heir;
    const expected = `${old} fenced through its BMC, VIP on ${heir}, CHECK answered by ${heir} within ${TAKEOVER_LIMIT_MS} ms, exactly one active and never two, ${old} back as standby with the link OK`;
    const got = [
      fencedAt !== undefined
        ? `${old} fenced (BMC reset ${ms(killAt, fencedAt)} after the kill)`
        : `${old} not fenced`,
      f.vipOnAt !== undefined ? `VIP on ${heir} after ${ms(killAt, f.vipOnAt)}` : `VIP never on ${heir}`,
      takeover !== undefined
        ? `CHECK answered by ${heir} after ${takeover} ms (takeover)`
        : `CHECK never answered by ${heir}`,
      `active afterwards: ${f.finalActives.join(" and ") || "none"}`,
      f.overlaps.length === 0 ? "never two at once" : `${f.overlaps.length} samples with two at once`,
      f.responderChanges <= 1
        ? "CHECK answered by one connector at a time"
        : `CHECK answerer changed ${f.responderChanges} times`,
      `${f.checks}`,
      back.ok && back.view.roles[old] === "standby"
        ? `${old} back as standby, link OK`
        : `${old} back as ${back.view.roles[old] ?? "nothing"} (link ${back.view.links[old] ?? "--"})`,
    ].join(", ");
    const pass =
      fencedAt !== undefined &&
      f.vipOnAt !== undefined &&
      takeover !== undefined &&
      takeover <= TAKEOVER_LIMIT_MS &&
      oneActive &&
      f.overlaps.length === 0 &&
      f.responderChanges <= 1 &&
      back.ok &&
      back.view.roles[old] === "standby";
    return { expected, got, pass };
  },
};
