// `lab drill pacemaker-fence` end to end, as an operator runs it (tools/lab/dist/lab.js, no
// `lab up`): its own 3-node corosync + Pacemaker cluster, the haconn pair and ipmi_sim BMCs come
// up, stonith_admin fences pn3 through fence_haconn, the timeline names every party, the verdict
// is PASS, and nothing of the drill is left: no namespace, no node process, no directory.
// About 30 s; in the `lab-alone` project (vitest.config.ts) so it never shares the machine.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pacemakerDrillBlocker } from "./pacemaker-drill-runner.js";
import { repoRoot } from "./paths.js";

const LAB = join(repoRoot(), "tools/lab/dist/lab.js");
const blocker = existsSync(LAB) ? pacemakerDrillBlocker() : "tools/lab is not built";

describe.skipIf(blocker !== undefined)("lab drill pacemaker-fence", () => {
  it("fences pn3 through haconn with a timeline of every party, PASS, and leaves nothing", () => {
    const before = execFileSync("ip", ["netns", "list"], { encoding: "utf8" });
    const r = spawnSync(process.execPath, [LAB, "drill", "pacemaker-fence"], {
      encoding: "utf8",
      timeout: 200_000,
    });
    const out = `${r.stdout}${r.stderr}`;
    process.stdout.write(out);
    expect(r.status, out).toBe(0);
    expect(out).toMatch(
      /^verdict: PASS pacemaker-fence \(expected .*, got exit 0 in \d+ ms, .*BMC \[nmi, reset\]/m,
    );
    // Pacemaker's side, haconn's side, the BMC's side, and what Pacemaker prints.
    expect(out).toMatch(
      /fence\s+pacemaker-fenced@pn1\s+Client stonith_admin\.\d+ wants to fence \(reboot\) pn3/,
    );
    expect(out).toMatch(/request\s+connector\s+HACON\d PN3: RM-RESET RECV/);
    expect(out).toMatch(/NMI\s+BMC PN3\s+ipmi_sim: chassis nmi carried out/);
    expect(out).toMatch(/hardware reset\s+BMC PN3\s+ipmi_sim: chassis reset carried out/);
    expect(out).toMatch(/fence\s+pacemaker-fenced@pn1\s+Operation 'reboot' targeting pn3 by pn1 for .*: OK/);
    expect(out).toMatch(/^\s+reboot of pn3 successful: delegate=pn1/m);
    expect(out).toMatch(/OFFLINE: \[ pn3 \]/);
    expect(out).toContain("torn down: no node, namespace or file of the drill is left");
    const prefix = /namespaces (hpd\d+)-\*/.exec(out)?.[1];
    expect(prefix).toBeDefined();
    const after = execFileSync("ip", ["netns", "list"], { encoding: "utf8" });
    expect(after.split("\n").filter((l) => l.startsWith(`${prefix}-`))).toEqual([]);
    expect(after.split("\n").length).toBeLessThanOrEqual(before.split("\n").length);
  }, 240_000);
});
