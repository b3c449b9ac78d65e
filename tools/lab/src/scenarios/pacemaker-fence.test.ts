// Issue 18 §4 (a): `stonith_admin --reboot <node>` on a real Pacemaker + corosync cluster →
// pacemaker-fenced → fence_haconn → the haconn pair's active connector → NMI, then the hardware
// reset after the hispeed time (no dump notice) → the node really dies (its BMC kills it) →
// "reboot of <node> successful" in stonith_admin --history.

import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { netnsAvailable } from "../netns/index.js";
import { BUILT } from "./harness.js";
import { PcmkLab, systemOf } from "./pacemaker-fixture.js";

const HAVE_PCMK = (() => {
  try {
    execFileSync("which", ["corosync", "pacemakerd", "stonith_admin"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!BUILT || !netnsAvailable() || !HAVE_PCMK)("Pacemaker fences through fence_haconn", () => {
  const lab = new PcmkLab({ prefix: `hpf${process.pid % 10000}`, nodes: ["pn1", "pn2", "pn3"] });

  beforeAll(async () => {
    await lab.setUp();
    await lab.waitReady();
  }, 120_000);

  afterAll(() => lab.tearDown(), 60_000);

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
    expect(reset!.atMs - nmi!.atMs).toBeGreaterThanOrEqual(900);
    expect(history).toMatch(/reboot of pn3 successful/);
    expect(lab.cluster.node("pn3").holder?.alive).toBe(false);
    const log = lab.resetLog();
    expect(log).toMatch(new RegExp(`RM-RESET ${systemOf("pn3")} 3 RECV`));
    expect(log).toMatch(new RegExp(`HARDRESET ${systemOf("pn3")} 3`));
    process.stdout.write(`${await lab.crmMon("pn1")}\n`);
  }, 90_000);
});
