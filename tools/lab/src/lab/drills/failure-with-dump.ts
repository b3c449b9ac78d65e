// PSERVER3, the active node of the 1:1 pair, hangs; its standby's HA monitor asks for a reset.
// The connector sends the NMI, the kernel starts its dump and says so in time: no hardware
// reset, ATTENTION DUMP to the cluster, result DUMP.
import { dumpSimSendNotice } from "../../dump-sim/index.js";
import { type Drill, waitUntil } from "../drill-context.js";
import { addResetEvents } from "../drill-events.js";
import { settle } from "../drill-restore.js";
import { monitorAddress } from "../pair-topology.js";
import { labSystem } from "../topology.js";

export const failureWithDump: Drill = {
  name: "failure-with-dump",
  summary: "PSERVER3 (1:1 active) hangs; PSERVER4 asks for a reset; the NMI starts a dump in time",
  clusters: ["one-to-one"],
  async run(ctx) {
    const target = labSystem(10003);
    const since = Date.now();
    const bmc = ctx.bmc(target.system);
    const reset = ctx.monitors.reset(10004, target.subsystem, 15_000);
    const nmi = await waitUntil(() => bmc.actions(since).find((a) => a.action === "nmi"), 10_000);
    let noticeAck = "no NMI seen";
    if (nmi) {
      const sentAt = Date.now();
      const notice = await dumpSimSendNotice({
        connector: { address: ctx.state.resetPath.addr, port: ctx.state.resetPath.port },
        subsystem: target.subsystem,
        systemName: target.system,
        clusterPort: ctx.state.clusterPorts[target.cluster],
        bind: { address: monitorAddress(ctx.state.topology, target), port: 0 },
        inNamespace: ctx.state.topology.mode === "netns",
      });
      noticeAck = notice.ack?.status ?? "not acknowledged";
      ctx.timeline.add(sentAt, "dump notice", `dump ${target.subsystem}`, `DUMP-NOTICE sent (${noticeAck})`);
    }
    const r = await reset;
    await waitUntil(() => ctx.monitors.attentions(target.subsystem, since)[0], 3000);
    const attention = ctx.monitors.attentions(target.subsystem, since)[0]?.attention?.state ?? "none";
    const hard = bmc.actions(since).some((a) => a.action === "reset");
    addResetEvents(ctx, since, target);
    await settle(ctx, [target.subsystem]);
    const got = `result ${r.outcome.result?.result ?? "none"}, ATTENTION ${attention}, ${hard ? "a hardware reset" : "no hardware reset"}`;
    const expected = "result DUMP, ATTENTION DUMP, no hardware reset";
    return { expected, got, pass: got === expected };
  },
};
