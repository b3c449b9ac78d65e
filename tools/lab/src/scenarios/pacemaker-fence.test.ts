// Issue 18 §4 (a): `stonith_admin --reboot <node>` on a real Pacemaker + corosync cluster →
// pacemaker-fenced → fence_haconn → the haconn pair's active connector → NMI, then the hardware
// reset after the hispeed time (no dump notice) → the node really dies (its BMC kills it) →
// "reboot of <node> successful" in stonith_admin --history. (f): fence_haconn's RESET FENCE flag
// resets a node the connector still counts as reset (rebooted, its monitor not checked in).

import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { netnsAvailable } from "../netns/index.js";
import { BUILT, waitFor } from "./harness.js";
import { HISPEED_MS, PcmkLab, systemOf } from "./pacemaker-fixture.js";

const HAVE_PCMK = (() => {
  try {
    execFileSync("which", ["corosync", "pacemakerd", "stonith_admin"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!BUILT || !netnsAvailable() || !HAVE_PCMK)("Pacemaker fences through fence_haconn", () => {
  const lab = new PcmkLab({
    prefix: `hpf${process.pid % 10000}`,
    nodes: ["pn1", "pn2", "pn3"],
    after: [["kdump", "on"]],
  });

  /**
   * A fenced node "reboots": its host, corosync and Pacemaker start again and it rejoins. No wait
   * for its monitor's check-in: fence_haconn's RESETs carry FENCE (protocol §4.3), so a node the
   * connector still counts as reset is reset again when fenced, never reported down at once.
   */
  async function reboot(node: string): Promise<void> {
    await lab.cluster.startNode(node);
    await lab.waitReady();
  }
  beforeAll(async () => {
    await lab.setUp();
    await lab.waitReady();
  }, 120_000);

  afterAll(() => lab.tearDown(), 60_000);

  it("Pacemaker lists both agents and reads their metadata", async () => {
    const list = await lab.cluster.exec("pn2", ["stonith_admin", "--list-installed"]);
    expect(list.out).toMatch(/^\s*fence_haconn$/m);
    const meta = await lab.cluster.exec("pn2", ["stonith_admin", "--metadata", "--agent", "fence_haconn"]);
    expect(meta.code, meta.err).toBe(0);
    expect(meta.out).toContain('<resource-agent name="fence_haconn"');
    expect(meta.out).toContain('<parameter name="key_file"');
    const ocf = await lab.cluster.exec("pn2", ["crm_resource", "--show-metadata", "ocf:haconn:monitor"]);
    expect(ocf.code, ocf.err).toBe(0);
    expect(ocf.out).toContain('<parameter name="cluster_port"');
  });

  it("(a) stonith_admin --reboot pn3: NMI, hardware reset at hispeed, history OK", async () => {
    const t0 = Date.now();
    const r = await lab.cluster.exec("pn1", ["stonith_admin", "--reboot", "pn3", "--timeout", "50"], {
      timeoutMs: 60_000,
    });
    const took = Date.now() - t0;
    const history = await lab.history("pn1", "pn3");
    process.stdout.write(`stonith_admin --reboot pn3: exit ${r.code} in ${took} ms\n${history}\n`);
    expect(r.code, `${r.out}${r.err}\n${lab.resetLog()}${lab.cluster.tail("pn1")}`).toBe(0);
    const acts = await lab.bmcActions("pn3");
    const nmi = acts.find((a) => a.action === "nmi");
    const reset = acts.find((a) => a.action === "reset");
    expect(nmi, JSON.stringify(acts)).toBeDefined();
    expect(reset, JSON.stringify(acts)).toBeDefined();
    // The hispeed time runs from the daemon's NMI SEND (ipmi_sim sees the NMI late:
    // it goes through a freshly spawned ipmitool), so it is measured on the reset log.
    // The first pair after the request: Pacemaker's controller may fence the lost pn3 once more
    // (a second real reset with FENCE), logged after it.
    const soft = lab.resetLogTimes("SOFTRESET", systemOf("pn3")).find((t) => t >= t0)!;
    const hard = lab.resetLogTimes("HARDRESET", systemOf("pn3")).find((t) => t >= soft)!;
    expect(hard - soft).toBeGreaterThanOrEqual(HISPEED_MS - 10);
    expect(reset!.atMs).toBeGreaterThan(nmi!.atMs);
    expect(history).toMatch(/reboot of pn3 successful/);
    expect(lab.cluster.node("pn3").holder?.alive).toBe(false);
    const log = lab.resetLog();
    expect(log).toMatch(new RegExp(`RM-RESET ${systemOf("pn3")} 3 RECV`));
    expect(log).toMatch(new RegExp(`HARDRESET ${systemOf("pn3")} 3`));
    process.stdout.write(`${await lab.crmMon("pn1")}\n`);
  }, 90_000);

  it("(f) a node fenced right after its reboot, before its monitor checked in: a real NMI and hardware reset, not an immediate DUMP", async () => {
    // pn3 was reset in (a): the connector counts it as reset (status dump) until a CHECK from it
    // comes >= 5 s later. Its monitor is kept off it (a location ban of the clone), so it rejoins
    // the cluster and runs without ever checking in: the window a monitor's start leaves, made
    // deterministic. A plain RESET would be answered DUMP at once (protocol §4.3 row 7).
    const target = "pn3";
    const ban = await lab.cluster.exec("pn1", [
      "crm_resource",
      "--ban",
      "--resource",
      "haconn-monitor-clone",
      "--node",
      target,
    ]);
    expect(ban.code, `${ban.out}${ban.err}`).toBe(0);
    try {
      const bootedAt = Date.now();
      await lab.cluster.startNode(target);
      await lab.cluster.waitReady("pn1", lab.o.nodes, ["fence-haconn", "dummy"], 45_000);
      const rejoined = Date.now() - bootedAt;
      const monitor = await lab.cluster.exec(target, ["cat", "/run/haconn/pcmk-monitor.json"]);
      expect(monitor.code, `${target}'s monitor must not have run: ${monitor.out}`).not.toBe(0);
      const before = (await lab.bmcActions(target)).length;
      const logBefore = lab.resetLog().length;
      const t0 = Date.now();
      const r = await lab.cluster.exec("pn1", ["stonith_admin", "--reboot", target, "--timeout", "50"], {
        timeoutMs: 60_000,
      });
      const took = Date.now() - t0;
      const history = await lab.history("pn1", target);
      const log = lab.resetLog().slice(logBefore);
      process.stdout.write(
        `${target} rejoined ${rejoined} ms after its restart, its monitor never checked in; stonith_admin --reboot ${target}: exit ${r.code} in ${took} ms\n${history}\n${log}`,
      );
      expect(r.code, `${r.out}${r.err}\n${lab.resetLog()}`).toBe(0);
      const acts = (await lab.bmcActions(target)).slice(before).map((a) => a.action);
      // A real NMI and hardware reset, not an immediate DUMP (a later fence of the lost node by
      // Pacemaker's controller may add another real pair).
      expect(acts.slice(0, 2)).toEqual(["nmi", "reset"]);
      expect(acts.every((a) => a === "nmi" || a === "reset")).toBe(true);
      expect(log).toMatch(new RegExp(`SOFTRESET ${systemOf(target)} 3 SEND`));
      expect(log).toMatch(new RegExp(`HARDRESET ${systemOf(target)} 3 SEND`));
      expect(history).toMatch(new RegExp(`reboot of ${target} successful`));
      expect(lab.cluster.node(target).holder?.alive).toBe(false);
    } finally {
      await lab.cluster.exec("pn1", ["crm_resource", "--clear", "--resource", "haconn-monitor-clone"]);
    }
  }, 90_000);

  it("(b) corosync killed on the node running Dummy: Pacemaker fences it through haconn, Dummy restarts elsewhere", async () => {
    await reboot("pn3");
    const before = await lab.cluster.state("pn1");
    const victim = before!.resources.dummy![0]!;
    const observer = lab.o.nodes.find((n) => n !== victim)!;
    const resetsBefore = (await lab.bmcActions(victim)).length;
    const t0 = Date.now();
    await lab.cluster.killCorosync(victim);
    let moved: string | undefined;
    let fencedAt = 0;
    for (const until = Date.now() + 45_000; Date.now() < until; ) {
      const acts = (await lab.bmcActions(victim)).slice(resetsBefore);
      if (!fencedAt && acts.some((a) => a.action === "reset")) fencedAt = Date.now();
      const s = await lab.cluster.state(observer);
      const on = s?.resources.dummy?.[0];
      if (on && on !== victim && fencedAt) {
        moved = on;
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const history = await lab.history(observer, victim);
    process.stdout.write(
      `kill -9 corosync on ${victim}: hardware reset after ${fencedAt - t0} ms, Dummy started on ${moved} after ${Date.now() - t0} ms\n${history}\n${await lab.crmMon(observer)}\n`,
    );
    expect(moved, `${history}\n${lab.resetLog()}`).toBeDefined();
    expect(history).toMatch(new RegExp(`reboot of ${victim} successful`));
    expect(lab.cluster.node(victim).holder?.alive).toBe(false);
    const acts = (await lab.bmcActions(victim)).slice(resetsBefore).map((a) => a.action);
    expect(acts).toEqual(["nmi", "reset"]);
  }, 120_000);

  it("(d) fence_kdump_send from the failed node: fencing completes as DUMP without a hardware reset", async () => {
    for (const n of lab.o.nodes) if (!lab.cluster.node(n).holder?.alive) await reboot(n);
    const target = "pn2";
    const from = "pn1";
    const before = (await lab.bmcActions(target)).length;
    const logBefore = lab.resetLog().length;
    const kdump = lab.armKdump(target);
    const t0 = Date.now();
    const r = await lab.cluster.exec(from, ["stonith_admin", "--reboot", target, "--timeout", "50"], {
      timeoutMs: 60_000,
    });
    kdump.stop();
    const fenceEnd = Date.now();
    const took = fenceEnd - t0;
    const history = await lab.history(from, target);
    process.stdout.write(
      `stonith_admin --reboot ${target} with kdump: exit ${r.code} in ${took} ms\n${history}\n`,
    );
    expect(r.code, `${r.out}${r.err}\n${lab.resetLog()}`).toBe(0);
    // This fence's actions (Pacemaker's controller may fence the lost node once more, later).
    const acts = (await lab.bmcActions(target))
      .slice(before)
      .filter((a) => a.atMs <= fenceEnd)
      .map((a) => a.action);
    expect(acts).toEqual(["nmi"]);
    expect(kdump.sentAt()).toBeDefined();
    expect(history).toMatch(new RegExp(`reboot of ${target} successful`));
    const log = lab.resetLog().slice(logBefore);
    process.stdout.write(log);
    expect(log).toMatch(new RegExp(`ATTENTION ${systemOf(target)} 2 RECV .*DUMP`));
    expect(log).not.toMatch(new RegExp(`HARDRESET ${systemOf(target)}`));
  }, 120_000);

  it("(e) the active connector killed mid-fence: the standby takes over and the fence completes", async () => {
    for (const n of lab.o.nodes) if (!lab.cluster.node(n).holder?.alive) await reboot(n);
    const target = "pn3";
    const from = "pn1";
    const active = lab.pair.activeNode()!;
    const before = (await lab.bmcActions(target)).length;
    const t0 = Date.now();
    const fence = lab.cluster.exec(from, ["stonith_admin", "--reboot", target, "--timeout", "50"], {
      timeoutMs: 60_000,
    });
    await waitFor(
      "the NMI of the fence",
      async () => (await lab.bmcActions(target)).slice(before).some((a) => a.action === "nmi") || undefined,
      20_000,
    );
    await lab.pair.kill9(active);
    const killedAt = Date.now();
    const r = await fence;
    const took = Date.now() - t0;
    const standby = lab.pair.activeNode();
    const history = await lab.history(from, target);
    process.stdout.write(
      `stonith_admin --reboot ${target}, active ${active} killed ${killedAt - t0} ms in: exit ${r.code} in ${took} ms, new active ${standby}\n${history}\n`,
    );
    expect(r.code, `${r.out}${r.err}`).toBe(0);
    expect(standby).toBeDefined();
    expect(standby).not.toBe(active);
    expect(history).toMatch(new RegExp(`reboot of ${target} successful`));
    const acts = (await lab.bmcActions(target)).slice(before).map((a) => a.action);
    expect(acts[0]).toBe("nmi");
    expect(acts).toContain("reset");
    expect(lab.cluster.node(target).holder?.alive).toBe(false);
  }, 120_000);

  it("tear-down leaves no process, namespace or mount behind", async () => {
    const pids = lab.cluster.nodes.filter((n) => n.holder?.alive).map((n) => n.holder!.pid);
    const root = lab.cluster.root;
    const prefix = lab.pair.lab.prefix;
    await lab.tearDown();
    const alive = pids.filter((p) => {
      try {
        process.kill(p, 0);
        return true;
      } catch {
        return false;
      }
    });
    const what = alive.map((p) => {
      try {
        return `${p}: ${readFileSync(`/proc/${p}/status`, "utf8").split("\n").slice(0, 7).join(" | ")}`;
      } catch {
        return `${p}: gone`;
      }
    });
    expect(alive, what.join("\n")).toEqual([]);
    expect(execFileSync("ip", ["netns", "list"], { encoding: "utf8" })).not.toContain(`${prefix}-`);
    expect(readFileSync("/proc/mounts", "utf8")).not.toContain(root);
    expect(existsSync(root)).toBe(false);
  }, 60_000);
});
