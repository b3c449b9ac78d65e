// The duplex LAN between the two management servers is cut. The standby no longer hears the
// active and cannot tell a cut link from a dead peer: it fences the active through its BMC, then
// takes over. The verdict is about split brain: exactly one active afterwards and never two at
// once (VIP holder and roles sampled all along). Then the link comes back, the fenced server
// restarts and the pair is OK again.
//   netns:    `ip link set dx0 down` in the active's namespace (the duplex veth).
//   loopback: there is no link to cut on 127.0.0.0/8, so the active's haconnd is stopped with
//             SIGSTOP: its heartbeats and its state-sync stream go silent exactly as over a cut
//             link (it also stops serving, which a cut link would not make it do).
import { setTimeout as sleep } from "node:timers/promises";
import type { Drill } from "../drill-context.js";
import { setLink } from "../lab-netns.js";
import { activeNode, nodePid, signalNode } from "../nodes.js";
import { PairWatch } from "../pair-watch.js";
import { addFence, addWatchEvents, bringBack, CHECK_SYSTEM, ms, otherNode } from "./pair-common.js";

/** After the cut: the samples must show one single active for this long before the verdict. */
const STABLE_MS = 2000;

export const duplexCut: Drill = {
  name: "duplex-cut",
  summary:
    "cut the duplex LAN: no split brain (exactly one active, never two at once), the pair OK again once the link returns",
  clusters: ["one-to-one"],
  async run(ctx) {
    const topology = ctx.state.topology;
    const old = await activeNode(ctx.dir);
    if (!old)
      return { expected: "one active node", got: "no single active node before the drill", pass: false };
    const heir = otherNode(old);
    const watch = new PairWatch(ctx.state, ctx.monitors.get(CHECK_SYSTEM));
    const ns = topology.netns?.nodes[old];
    let cutAt = 0;
    let restored = false;
    const restore = () => {
      if (restored) return;
      restored = true;
      if (ns) setLink(ns, topology.duplexDev, true);
      else signalNode(ctx.dir, old, "SIGCONT");
      ctx.timeline.add(
        Date.now(),
        "link up",
        "lab",
        ns ? `ip -n ${ns} link set ${topology.duplexDev} up` : `SIGCONT to haconnd ${old} (if it still runs)`,
      );
    };
    try {
      await sleep(400);
      cutAt = Date.now();
      if (ns) {
        setLink(ns, topology.duplexDev, false);
        ctx.timeline.add(
          cutAt,
          "link down",
          "lab",
          `ip -n ${ns} link set ${topology.duplexDev} down (duplex veth of ${old}, the active)`,
        );
      } else {
        const pid = nodePid(ctx.dir, old);
        signalNode(ctx.dir, old, "SIGSTOP");
        ctx.timeline.add(
          cutAt,
          "link down",
          "lab",
          `SIGSTOP haconnd ${old} (pid ${pid}), the active: its duplex traffic stops (loopback has no link to cut)`,
        );
      }
      // Settled: one single active (and VIP holder) in every sample of the last STABLE_MS.
      await watch.until((w) => {
        const recent = w.samples.filter((s) => s.at >= Date.now() - STABLE_MS && s.at > cutAt + 1000);
        return (
          recent.length >= 5 &&
          recent[0]!.at <= Date.now() - STABLE_MS + 300 &&
          recent.every(
            (s) => s.actives.length === 1 && s.holders.length === 1 && s.actives[0] === s.holders[0],
          )
        );
      }, 25_000);
    } finally {
      await watch.stop();
      restore();
    }
    const fencedAt = addFence(ctx, old, heir, cutAt);
    const f = addWatchEvents(ctx, watch, cutAt, heir);
    await sleep(300);
    const back = await bringBack(ctx, old);
    const exactlyOne = f.finalActives.length === 1 && f.finalHolders.join() === f.finalActives.join();
    const expected =
      "exactly one active (one VIP holder) after the cut, never two at once, the pair OK again once the link returns";
    const got = [
      `active afterwards: ${f.finalActives.join(" and ") || "none"} (VIP on ${f.finalHolders.join(" and ") || "nobody"})`,
      f.overlaps.length === 0 ? "never two at once" : `${f.overlaps.length} samples with two at once`,
      f.responderChanges <= 1
        ? "CHECK answered by one connector at a time"
        : `CHECK answerer changed ${f.responderChanges} times`,
      fencedAt !== undefined ? `${old} fenced ${ms(cutAt, fencedAt)} after the cut` : `${old} not fenced`,
      f.checkAt !== undefined
        ? `CHECK answered by ${heir} after ${ms(cutAt, f.checkAt)}`
        : `CHECK stayed with ${f.finalActives.join() || "nobody"}`,
      f.checks,
      back.ok ? `pair OK again (${back.view.roles.HACON1}/${back.view.roles.HACON2})` : "pair NOT OK again",
    ].join(", ");
    return {
      expected,
      got,
      pass: exactlyOne && f.overlaps.length === 0 && f.responderChanges <= 1 && back.ok,
    };
  },
};
