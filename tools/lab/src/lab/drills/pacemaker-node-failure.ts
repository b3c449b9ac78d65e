// Issue 18 §4 (b): the node running ocf:pacemaker:Dummy fails (kill -9 of its corosync). Nobody
// asks for a fence: Pacemaker decides by itself, fences the node through fence_haconn (NMI, then
// the hardware reset) and starts Dummy on a survivor.
import { setTimeout as sleep } from "node:timers/promises";
import type { PacemakerDrill } from "../pacemaker-drill-context.js";

export const pacemakerNodeFailure: PacemakerDrill = {
  name: "pacemaker-node-failure",
  summary:
    "corosync killed on the node running Dummy: Pacemaker fences it through haconn by itself, Dummy starts on a survivor",
  nodes: ["pn1", "pn2", "pn3"],
  async run(ctx) {
    const { cluster } = ctx.lab;
    const before = await cluster.state("pn1");
    const victim = before?.resources.dummy?.[0];
    if (!victim) return { expected: "Dummy running", got: "Dummy not started", pass: false };
    const survivors = ctx.lab.o.nodes.filter((n) => n !== victim);
    const observer = before?.dc && before.dc !== victim ? before.dc : survivors[0]!;
    const since = Date.now();
    ctx.timeline.add(since, "kill", "lab", `kill -9 corosync on ${victim} (it runs Dummy; DC ${before?.dc})`);
    await cluster.killCorosync(victim);
    let moved: string | undefined;
    let resetAt: number | undefined;
    for (const until = Date.now() + 45_000; Date.now() < until; ) {
      resetAt ??= (await ctx.bmcActions(victim, since)).find((a) => a.action === "reset")?.atMs;
      const on = (await cluster.state(observer))?.resources.dummy?.[0];
      if (resetAt && on && on !== victim) {
        moved = on;
        break;
      }
      await sleep(200);
    }
    await ctx.record(since, [victim], [observer]);
    const history = await ctx.showPacemaker(observer, victim);
    const acts = (await ctx.bmcActions(victim, since)).map((a) => a.action);
    const ok = new RegExp(`reboot of ${victim} successful`).test(history);
    const dead = cluster.node(victim).holder?.alive === false;
    const expected = `history "reboot of ${victim} successful", BMC nmi then reset, ${victim} down, Dummy started on a survivor`;
    const got = `history ${ok ? `"reboot of ${victim} successful"` : "without a success"}, BMC [${acts.join(", ")}]${
      resetAt ? ` (reset ${resetAt - since} ms after the kill)` : ""
    }, ${victim} ${dead ? "down" : "still running"}, Dummy ${moved ? `started on ${moved} ${Date.now() - since} ms after the kill` : "not moved"}`;
    return { expected, got, pass: ok && acts.join(",") === "nmi,reset" && dead && moved !== undefined };
  },
};
