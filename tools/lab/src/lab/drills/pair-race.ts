// The two members of a mutual pair (cluster management on) lose sight of each other and ask
// at the same moment to reset each other. The connector resets one of them; the other request
// is answered FAIL (its requester is being reset).
import { type Drill, waitUntil } from "../drill-context.js";
import { addResetEvents } from "../drill-events.js";
import { settle } from "../drill-restore.js";
import { labSystem } from "../topology.js";

export const pairRace: Drill = {
  name: "pair-race",
  summary: "PSERVER1 and PSERVER2 (mutual pair) ask to reset each other at once; exactly one is reset",
  clusters: ["mutual"],
  async run(ctx) {
    const a = labSystem(10001);
    const b = labSystem(10002);
    const since = Date.now();
    const [ra, rb] = await Promise.all([
      ctx.monitors.reset(a.subsystem, b.subsystem, 15_000),
      ctx.monitors.reset(b.subsystem, a.subsystem, 15_000),
    ]);
    const results = [ra.outcome.result?.result ?? "none", rb.outcome.result?.result ?? "none"].sort();
    const resetOne =
      ra.outcome.result?.result === "DUMP" ? b : rb.outcome.result?.result === "DUMP" ? a : undefined;
    if (resetOne) await waitUntil(() => ctx.monitors.attentions(resetOne.subsystem, since)[0], 3000);
    const nmis = [a, b].flatMap((s) =>
      ctx
        .bmc(s.system)
        .actions(since)
        .filter((x) => x.action === "nmi"),
    );
    addResetEvents(ctx, since, a);
    addResetEvents(ctx, since, b);
    await settle(ctx, resetOne ? [resetOne.subsystem] : [a.subsystem, b.subsystem]);
    const expected = "results DUMP and FAIL, 1 NMI";
    const got = `results ${results.join(" and ")}, ${nmis.length} NMI${nmis.length === 1 ? "" : "s"}${
      resetOne ? ` (${resetOne.system} was reset)` : ""
    }`;
    return { expected, got, pass: results.join(",") === "DUMP,FAIL" && nmis.length === 1 };
  },
};
