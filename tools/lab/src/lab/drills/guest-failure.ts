// VM1, a guest of the virtual server PSERVER5, hangs; VM2's HA monitor asks for a reset. The
// connector goes through the ESXi host: NMI (vmdumper), then the VM reset.
import { type Drill, waitUntil } from "../drill-context.js";
import { addResetEvents } from "../drill-events.js";
import { settle } from "../drill-restore.js";
import { labSystem } from "../topology.js";

export const guestFailure: Drill = {
  name: "guest-failure",
  summary: "guest VM1 on PSERVER5 (ESXi) hangs; VM2 asks for a reset; NMI then reset through ESXi",
  clusters: ["guests"],
  async run(ctx) {
    const target = labSystem(10051);
    const since = Date.now();
    const r = await ctx.monitors.reset(10052, target.subsystem, 30_000);
    await waitUntil(() => ctx.monitors.attentions(target.subsystem, since)[0], 3000);
    const attention = ctx.monitors.attentions(target.subsystem, since)[0]?.attention?.state ?? "none";
    await waitUntil(() => ctx.esxi(since).some((e) => e.name === target.vm && e.action === "reset"), 1000);
    const actions = ctx
      .esxi(since)
      .filter((e) => e.name === target.vm)
      .map((e) => e.action);
    addResetEvents(ctx, since, target);
    await settle(ctx, [target.subsystem]);
    const expected = "result DUMP, ATTENTION REBOOT, ESXi actions on VM1 [nmi, reset]";
    const got = `result ${r.outcome.result?.result ?? "none"}, ATTENTION ${attention}, ESXi actions on VM1 [${actions.join(", ")}]`;
    return { expected, got, pass: got === expected };
  },
};
