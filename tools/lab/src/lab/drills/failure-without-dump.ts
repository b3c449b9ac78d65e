// PSERVER7 hangs so hard that no dump starts: no DUMP notice comes, and the hardware reset
// follows the NMI after the hispeed time (haconnsetup hispeed resettime=...).
import { type Drill, waitUntil } from "../drill-context.js";
import { addResetEvents } from "../drill-events.js";
import { settle } from "../drill-restore.js";
import { LAB_HISPEED_MS, labSystem } from "../topology.js";

export const failureWithoutDump: Drill = {
  name: "failure-without-dump",
  summary: `PSERVER7 hangs without a dump; the hardware reset follows after the hispeed time (${LAB_HISPEED_MS} ms)`,
  clusters: ["group"],
  async run(ctx) {
    const target = labSystem(10007);
    const since = Date.now();
    const r = await ctx.monitors.reset(10008, target.subsystem, 20_000);
    await waitUntil(() => ctx.monitors.attentions(target.subsystem, since)[0], 3000);
    const attention = ctx.monitors.attentions(target.subsystem, since)[0]?.attention?.state ?? "none";
    const log = ctx.resetlog(since, target.system);
    const recv = log.find((e) => e.type === "RM-RESET" && e.dir === "RECV");
    const hard = log.find((e) => e.type === "HARDRESET" && e.dir === "SEND");
    const acts = ctx.bmc(target.system).actions(since);
    addResetEvents(ctx, since, target);
    await settle(ctx, [target.subsystem]);
    const delay = recv && hard ? hard.at - recv.at : undefined;
    const inTime = delay !== undefined && delay >= LAB_HISPEED_MS - 50 && delay <= LAB_HISPEED_MS + 1500;
    const nmiThenReset =
      acts.findIndex((a) => a.action === "nmi") >= 0 &&
      acts.findIndex((a) => a.action === "reset") > acts.findIndex((a) => a.action === "nmi");
    const expected = `result DUMP, ATTENTION REBOOT, NMI then hardware reset ~${LAB_HISPEED_MS} ms after the request`;
    const got = `result ${r.outcome.result?.result ?? "none"}, ATTENTION ${attention}, ${
      nmiThenReset ? "NMI then hardware reset" : `BMC actions [${acts.map((a) => a.action).join(", ")}]`
    } ${delay === undefined ? "(no HARDRESET logged)" : `${Math.round(delay)} ms after the request`}`;
    const pass = r.outcome.result?.result === "DUMP" && attention === "REBOOT" && nmiThenReset && inTime;
    return { expected, got, pass };
  },
};
