// Issue 18 §4 (a): an administrator fences a node by hand. `stonith_admin --reboot pn3` →
// pacemaker-fenced → fence_haconn → the active connector → NMI through pn3's BMC, no dump notice,
// hardware reset after the hispeed time → pn3 really dies → history "reboot of pn3 successful".
import { HISPEED_MS, systemOf } from "../../scenarios/pacemaker-fixture.js";
import type { PacemakerDrill } from "../pacemaker-drill-context.js";

export const pacemakerFence: PacemakerDrill = {
  name: "pacemaker-fence",
  summary: `stonith_admin --reboot pn3 on a 3-node Pacemaker cluster: fence_haconn, NMI, hardware reset after the hispeed time (${HISPEED_MS} ms)`,
  nodes: ["pn1", "pn2", "pn3"],
  async run(ctx) {
    const { lab } = ctx;
    const since = Date.now();
    const f = await ctx.fence("pn1", "pn3");
    const fenceEnd = Date.now();
    await ctx.record(since, ["pn3"], ["pn1"]);
    const history = await ctx.showPacemaker("pn1", "pn3");
    const actions = await ctx.bmcActions("pn3", since);
    const acts = actions.filter((a) => a.atMs <= fenceEnd).map((a) => a.action);
    const again = actions.filter((a) => a.atMs > fenceEnd).map((a) => a.action);
    // The first NMI/hardware-reset pair after the request. Pacemaker's controller may fence the
    // lost node once more (it saw pn3 leave before the fence was confirmed): with FENCE that is a
    // second real reset, listed after the first pair.
    const soft = lab.resetLogTimes("SOFTRESET", systemOf("pn3")).find((t) => t >= since);
    const hard =
      soft === undefined ? undefined : lab.resetLogTimes("HARDRESET", systemOf("pn3")).find((t) => t >= soft);
    const delay = soft !== undefined && hard !== undefined ? hard - soft : undefined;
    const ok = /reboot of pn3 successful/.test(history);
    const dead = lab.cluster.node("pn3").holder?.alive === false;
    const expected = `stonith_admin exit 0, history "reboot of pn3 successful", BMC nmi then reset ≥ ${HISPEED_MS} ms after the NMI, pn3 down`;
    const got = `exit ${f.code} in ${f.ms} ms, history ${ok ? '"reboot of pn3 successful"' : "without a success"}, BMC [${acts.join(", ")}]${
      delay === undefined
        ? " (no SOFTRESET/HARDRESET pair logged)"
        : ` reset ${Math.round(delay)} ms after the NMI`
    }${again.length > 0 ? ` (then [${again.join(", ")}]: Pacemaker's controller fenced the lost node again)` : ""}, pn3 ${dead ? "down" : "still running"}`;
    const pass =
      f.code === 0 &&
      ok &&
      acts.join(",") === "nmi,reset" &&
      again.every((a) => a === "nmi" || a === "reset") &&
      delay !== undefined &&
      delay >= HISPEED_MS - 10 &&
      dead;
    return { expected, got, pass };
  },
};
