// PSERVER8 loses power. The connector's power watch sees it and tells the cluster (ATTENTION
// POFF); a reset asked for afterwards is answered POFF at once. Then power comes back and the
// system registers again.
import { type Drill, waitUntil } from "../drill-context.js";
import { addConnectorEvents, addMonitorEvents } from "../drill-events.js";
import { settle, waitPower } from "../drill-restore.js";
import { clusterSystems, labSystem } from "../topology.js";

export const powerOff: Drill = {
  name: "power-off",
  summary: "PSERVER8 loses power; the cluster is told (ATTENTION POFF); a reset is answered POFF",
  clusters: ["group"],
  async run(ctx) {
    const target = labSystem(10008);
    const others = clusterSystems(target.cluster).filter((s) => s.subsystem !== target.subsystem);
    const bmc = ctx.bmc(target.system);
    const since = Date.now();
    bmc.setPower("off");
    ctx.timeline.add(since, "power off", "lab", `${target.system} loses power (its BMC now reports off)`);
    try {
      const told = await waitUntil(
        () =>
          others.every((o) =>
            ctx.monitors.attentions(target.subsystem, since).some((r) => r.subsystem === o.subsystem),
          ),
        20_000,
        50,
      );
      const states = [
        ...new Set(ctx.monitors.attentions(target.subsystem, since).map((r) => r.attention?.state)),
      ];
      const r = await ctx.monitors.reset(others[0]!.subsystem, target.subsystem, 5000);
      addConnectorEvents(ctx, since, target);
      addMonitorEvents(ctx, since, target.subsystem);
      const expected = `ATTENTION POFF to ${others.length} monitors, result POFF`;
      const got = `ATTENTION ${states.join("/") || "none"} to ${
        told
          ? others.length
          : new Set(ctx.monitors.attentions(target.subsystem, since).map((x) => x.subsystem)).size
      } monitors, result ${r.outcome.result?.result ?? "none"}`;
      return { expected, got, pass: got === expected };
    } finally {
      bmc.setPower("on");
      ctx.timeline.add(Date.now(), "power on", "lab", `${target.system} powered on again`);
      await waitPower(ctx, target.system, "pon");
      await settle(ctx, [target.subsystem]);
    }
  },
};
