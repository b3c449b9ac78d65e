// The Pacemaker drills are registered (by name, with a summary and a cluster), the `lab` command
// lists them and resolves `pacemaker` to all four, and Pacemaker's log lines become timeline
// events (the parser against lines as Pacemaker 2.1.5 writes them).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findDrill } from "./drill-runner.js";
import { PACEMAKER_DRILLS } from "./drills/pacemaker-index.js";
import { parsePacemakerLog } from "./pacemaker-drill-context.js";
import { pacemakerDrillsFor } from "./pacemaker-drill-runner.js";
import { repoRoot } from "./paths.js";

const NAMES = ["pacemaker-fence", "pacemaker-node-failure", "pacemaker-fence-race", "pacemaker-kdump"];
const LAB = join(repoRoot(), "tools/lab/dist/lab.js");

describe("Pacemaker drills", () => {
  it("the four are registered with a summary and a cluster of 2–3 nodes", () => {
    expect(PACEMAKER_DRILLS.map((d) => d.name)).toEqual(NAMES);
    for (const d of PACEMAKER_DRILLS) {
      expect(d.summary.length, d.name).toBeGreaterThan(30);
      expect(d.nodes.length, d.name).toBeGreaterThanOrEqual(2);
      expect(d.nodes.length, d.name).toBeLessThanOrEqual(3);
    }
    expect(PACEMAKER_DRILLS.find((d) => d.name === "pacemaker-fence-race")?.nodes).toHaveLength(2);
  });

  it("`pacemaker` stands for all four, a name for one, anything else for none", () => {
    expect(pacemakerDrillsFor("pacemaker")?.map((d) => d.name)).toEqual(NAMES);
    expect(pacemakerDrillsFor("pacemaker-kdump")?.map((d) => d.name)).toEqual(["pacemaker-kdump"]);
    expect(pacemakerDrillsFor("failure-with-dump")).toBeUndefined();
    expect(pacemakerDrillsFor("pacemaker-nope")).toBeUndefined();
    // The lab drills' lookup names them in its refusal.
    expect(() => findDrill("no-such-drill")).toThrow(/pacemaker-fence-race.*pacemaker/);
  });

  it.skipIf(!existsSync(LAB))("`lab drills` lists them with their summaries", () => {
    const r = spawnSync(process.execPath, [LAB, "drills"], { encoding: "utf8", timeout: 20_000 });
    expect(r.status).toBe(0);
    for (const d of PACEMAKER_DRILLS) expect(r.stdout).toContain(`${d.name.padEnd(22)} ${d.summary}`);
  });

  it("reads Pacemaker's fencing lines into timeline events, other lines and older lines left out", () => {
    const log = [
      "Dec 07 22:35:37.101 pn1 pacemaker-fenced    [30] (handle_request) \tnotice: Client stonith_admin.187 wants to fence (reboot) pn3 using any device",
      "Dec 07 22:35:37.102 pn1 pacemaker-fenced    [30] (log_op_output) \tinfo: fence_haconn_monitor_1of2[85] output",
      "Dec 07 22:35:39.413 pn1 pacemaker-fenced    [30] (log_async_result) \tnotice: Operation 'reboot' [188] targeting pn3 using fence-haconn returned 0 | call 2 from stonith_admin.187",
      "Dec 07 22:35:42.897 pn1 pacemaker-based     [28] (update_peer_state_iter) \tnotice: Node pn3 state is now lost | nodeid=3",
      "Dec 07 22:35:42.897 pn1 pacemaker-controld  [34] (update_peer_state_iter) \tnotice: Node pn3 state is now lost | nodeid=3",
      "Dec 07 22:35:43.500 pn1 pacemaker-controld  [34] (log_executor_event) \tnotice: Result of start operation for dummy on pn1: ok | CIB update 40",
      "Dec 07 22:30:00.000 pn1 pacemaker-fenced    [30] (handle_request) \tnotice: Client stonith_admin.1 wants to fence (reboot) pn2 using any device",
    ].join("\n");
    const since = new Date(2026, 11, 7, 22, 35, 0).getTime();
    const events = parsePacemakerLog(log, since, 2026);
    expect(events.map((e) => [e.phase, e.daemon, e.text])).toEqual([
      ["fence", "pacemaker-fenced", "Client stonith_admin.187 wants to fence (reboot) pn3 using any device"],
      ["fence", "pacemaker-fenced", "Operation 'reboot' [188] targeting pn3 using fence-haconn returned 0"],
      ["node lost", "pacemaker-controld", "Node pn3 state is now lost"],
      ["resource start", "pacemaker-controld", "Result of start operation for dummy on pn1: ok"],
    ]);
    expect(events[0]!.at).toBe(new Date(2026, 11, 7, 22, 35, 37, 101).getTime());
    expect(events[0]!.node).toBe("pn1");
  });
});
