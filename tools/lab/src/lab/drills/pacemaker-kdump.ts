// Issue 18 §4 (d): the fenced node runs kdump with fence_kdump. When its BMC delivers the NMI the
// node panics and the kdump kernel's `fence_kdump_send` (Debian fence-agents) reaches the
// connector within the hispeed time: the fence completes as DUMP, the dump is kept, no hardware
// reset.
import { systemOf } from "../../scenarios/pacemaker-fixture.js";
import type { PacemakerDrill } from "../pacemaker-drill-context.js";

export const pacemakerKdump: PacemakerDrill = {
  name: "pacemaker-kdump",
  summary:
    "stonith_admin --reboot pn2 while pn2's kdump kernel runs fence_kdump_send: fenced as DUMP after the NMI, no hardware reset",
  nodes: ["pn1", "pn2", "pn3"],
  async run(ctx) {
    const { lab } = ctx;
    const target = "pn2";
    const system = systemOf(target);
    const since = Date.now();
    const logBefore = lab.resetLog().length;
    const kdump = lab.armKdump(target);
    const f = await ctx.fence("pn1", target);
    kdump.stop();
    // This fence's own actions and lines, read at once: Pacemaker's controller may fence the lost
    // node once more a few seconds later (a second real reset with FENCE, the dump being over).
    const fenceEnd = Date.now();
    const fenceLog = lab.resetLog().slice(logBefore);
    const sentAt = kdump.sentAt();
    ctx.timeline.add(
      sentAt,
      "dump notice",
      `fence_kdump_send@${target}`,
      "kdump kernel: fence_kdump_send -i 1 started",
    );
    await ctx.record(since, [target], ["pn1"]);
    const history = await ctx.showPacemaker("pn1", target);
    const acts = (await ctx.bmcActions(target, since)).filter((a) => a.atMs <= fenceEnd).map((a) => a.action);
    const log = fenceLog;
    const dumpHeard = new RegExp(`ATTENTION ${system} \\d+ RECV .*DUMP`).test(log);
    const hardReset = new RegExp(`HARDRESET ${system}`).test(log);
    const ok = new RegExp(`reboot of ${target} successful`).test(history);
    const expected = `stonith_admin exit 0, history "reboot of ${target} successful", the dump notice at the connector, BMC nmi only`;
    const got = `exit ${f.code} in ${f.ms} ms, history ${ok ? `"reboot of ${target} successful"` : "without a success"}, ${
      dumpHeard ? "the dump notice at the connector" : "no dump notice at the connector"
    }${sentAt === undefined ? " (fence_kdump_send never ran)" : ""}, BMC [${acts.join(", ")}]${hardReset ? ", HARDRESET logged" : ""}`;
    const pass = f.code === 0 && ok && dumpHeard && !hardReset && acts.join(",") === "nmi";
    return { expected, got, pass };
  },
};
