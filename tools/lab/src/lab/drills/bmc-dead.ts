// PSERVER6 hangs and its BMC is dead too: neither the NMI nor the hardware reset is
// acknowledged, so the connector cuts the PDU outlets feeding it, and restores them after the
// recovery time.
import { type Drill, waitUntil } from "../drill-context.js";
import { addPduEvents, addResetEvents } from "../drill-events.js";
import { settle } from "../drill-restore.js";
import { LAB_PDU_RECOVERY_SEC, LAB_SERVERS, labSystem } from "../topology.js";

export const bmcDead: Drill = {
  name: "bmc-dead",
  summary: `PSERVER6 hangs with its BMC dead; the PDU outlets are cut, restored after ${LAB_PDU_RECOVERY_SEC} s`,
  clusters: ["group"],
  async run(ctx) {
    const target = labSystem(10006);
    const outlets = LAB_SERVERS.find((s) => s.name === target.system)?.outlets ?? [];
    const bmc = ctx.bmc(target.system);
    const since = Date.now();
    bmc.freeze();
    ctx.timeline.add(Date.now(), "fault", "lab", `BMC of ${target.system} stops answering (SIGSTOP)`);
    let thawedAt = Number.POSITIVE_INFINITY;
    try {
      const r = await ctx.monitors.reset(10007, target.subsystem, 45_000);
      const restored = await waitUntil(
        () => {
          const on = ctx
            .pdu(since)
            .filter((t) => t.to === "on")
            .map((t) => t.outlet);
          return outlets.every((o) => on.includes(o));
        },
        (LAB_PDU_RECOVERY_SEC + 15) * 1000,
        100,
      );
      await waitUntil(() => ctx.monitors.attentions(target.subsystem, since)[0], 3000);
      const attention = ctx.monitors.attentions(target.subsystem, since)[0]?.attention?.state ?? "none";
      bmc.thaw();
      thawedAt = Date.now();
      ctx.timeline.add(thawedAt, "repair", "lab", `BMC of ${target.system} answers again (SIGCONT)`);
      const cut = ctx
        .pdu(since)
        .filter((t) => t.to === "off")
        .map((t) => t.outlet);
      const off = Math.max(
        ...ctx
          .pdu(since)
          .filter((t) => t.to === "off")
          .map((t) => t.at),
      );
      const on = Math.min(
        ...ctx
          .pdu(since)
          .filter((t) => t.to === "on")
          .map((t) => t.at),
      );
      addResetEvents(ctx, since, target, thawedAt);
      addPduEvents(ctx, since);
      await settle(ctx, [target.subsystem]);
      const expected = `result DUMP, ATTENTION REBOOT, outlets ${outlets.join("+")} cut and restored after ≥ ${LAB_PDU_RECOVERY_SEC} s`;
      const offFor = Number.isFinite(on - off) ? Math.round(on - off) : undefined;
      const got = `result ${r.outcome.result?.result ?? "none"}, ATTENTION ${attention}, outlets ${
        cut.length ? [...new Set(cut)].sort().join("+") : "none"
      } cut${restored ? ` and restored after ${offFor} ms` : ", not restored"}`;
      const pass =
        r.outcome.result?.result === "DUMP" &&
        attention === "REBOOT" &&
        outlets.every((o) => cut.includes(o)) &&
        restored === true &&
        offFor !== undefined &&
        offFor >= LAB_PDU_RECOVERY_SEC * 1000 - 500;
      return { expected, got, pass };
    } finally {
      bmc.thaw();
    }
  },
};
