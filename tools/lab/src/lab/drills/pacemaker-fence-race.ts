// Issue 18 §4 (c): a two-node cluster loses its cluster LAN on both sides at once; each node
// fences the other. Through fence_haconn the connector's mutual-pair rule resets exactly one of
// them (the other's request is answered FAIL: its requester is being reset); with fence_ipmilan
// both can die. One trial (tools/bench pacemaker-race runs ≥ 20 side by side with fence_ipmilan).
import { execFile } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import type { PacemakerDrill } from "../pacemaker-drill-context.js";

const ip = (args: string[]) =>
  new Promise<void>((resolve, reject) => execFile("ip", args, (e) => (e ? reject(e) : resolve())));

export const pacemakerFenceRace: PacemakerDrill = {
  name: "pacemaker-fence-race",
  summary: "2-node cluster, both cluster links cut at once, each node fences the other: exactly one is reset",
  nodes: ["pn1", "pn2"],
  async run(ctx) {
    const { cluster } = ctx.lab;
    const nodes = ctx.lab.o.nodes;
    // Both registrations must be live with their pair before the race (ocf:haconn:monitor, pair=auto).
    for (const n of nodes) {
      const until = Date.now() + 30_000;
      for (;;) {
        const r = await cluster.exec(n, ["cat", "/run/haconn/pcmk-monitor.json"]);
        try {
          if (JSON.parse(r.out).lastReply?.status === "normal") break;
        } catch {
          // not yet
        }
        if (Date.now() > until)
          return { expected: "both nodes registered", got: `${n} not normal at haconn`, pass: false };
        await sleep(250);
      }
    }
    const since = Date.now();
    await Promise.all(nodes.map((n) => ip(["-n", cluster.node(n).netns, "link", "set", "cl0", "down"])));
    ctx.timeline.add(since, "link down", "lab", `cluster LAN (cl0) down on ${nodes.join(" and ")} at once`);
    let survivor: string | undefined;
    for (let until = since + 60_000; Date.now() < until; ) {
      const alive = nodes.filter((n) => cluster.node(n).holder?.alive);
      if (alive.length === 0) break;
      const other = nodes.find((n) => n !== alive[0]);
      if (alive.length === 1 && !survivor && (await ctx.successes(alive[0]!, other!)) > 0) {
        survivor = alive[0];
        ctx.timeline.add(
          Date.now(),
          "back to normal",
          `stonith_admin@${survivor}`,
          `history: ${other} fenced`,
        );
        until = Date.now() + 3000; // a late fence of the survivor would still land
      }
      await sleep(200);
    }
    const killed = nodes.filter((n) => cluster.node(n).holder?.alive === false);
    await ctx.record(since, nodes, nodes);
    if (survivor) await ctx.showPacemaker(survivor, nodes.find((n) => n !== survivor)!);
    const resets = await Promise.all(
      nodes.map(async (n) => `${n} [${(await ctx.bmcActions(n, since)).map((a) => a.action).join(", ")}]`),
    );
    const expected = "exactly one node reset, the survivor's history shows the fence";
    const got = `${killed.length} reset (${killed.join(", ") || "none"}), BMC ${resets.join(" ")}, ${
      survivor ? `${survivor}'s history shows the fence` : "no survivor's history shows the fence"
    }`;
    return { expected, got, pass: killed.length === 1 && survivor !== undefined };
  },
};
