// The simulator against peers we did not write: Debian's snmpget/snmpwalk/snmpset and
// fence-agents' fence_ipdu (column-11 variant), so it is known to behave like the device those
// tools expect. The community on these tools' argv is acceptable here: they are test peers; the
// driver (packages/ipdu) never spawns anything.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { PduSim } from "./index.js";

const run = promisify(execFile);
const COMMUNITY = "labRw42";
const ENT = "1.3.6.1.4.1.2.6.223";

interface Out {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

async function tool(cmd: string, args: string[], timeoutMs = 15_000): Promise<Out> {
  const t0 = performance.now();
  try {
    const { stdout, stderr } = await run(cmd, args, { timeout: timeoutMs, killSignal: "SIGKILL" });
    return { code: 0, stdout, stderr, ms: performance.now() - t0 };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof e.code === "number" ? e.code : -1,
      stdout: e.stdout ?? "",
      stderr: e.stderr ?? "",
      ms: performance.now() - t0,
    };
  }
}

const snmp = (cmd: string, sim: PduSim, rest: string[], community = COMMUNITY): Promise<Out> =>
  tool(cmd, ["-v2c", "-c", community, "-m", "", "-On", "-t", "1", "-r", "0", sim.target, ...rest]);

const sims: PduSim[] = [];
async function start(variant: "col11" | "col13"): Promise<PduSim> {
  const sim = await PduSim.start({ community: COMMUNITY, variant });
  sims.push(sim);
  return sim;
}
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.stop()));
});

describe("pdu-sim against net-snmp's command-line tools", () => {
  it("answers snmpget for identity, firmware, outlet count and state (column 13)", async () => {
    const sim = await start("col13");
    const out = await snmp("snmpget", sim, [
      ".1.3.6.1.2.1.1.2.0",
      `.${ENT}.7.3.0`,
      `.${ENT}.8.2.1.0`,
      `.${ENT}.8.2.2.1.13.5`,
      `.${ENT}.8.2.2.1.11.5`,
    ]);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain(`.1.3.6.1.2.1.1.2.0 = OID: .${ENT}`);
    expect(out.stdout).toContain(`.${ENT}.7.3.0 = STRING: "OPDP_sIBM_v01.3_3"`);
    expect(out.stdout).toContain(`.${ENT}.8.2.1.0 = INTEGER: 12`);
    expect(out.stdout).toContain(`.${ENT}.8.2.2.1.13.5 = INTEGER: 1`);
    expect(out.stdout).toMatch(
      new RegExp(`\\.${ENT.replaceAll(".", "\\.")}\\.8\\.2\\.2\\.1\\.11\\.5 = No Such`),
    );
  });

  it("walks the outlet table to its end with snmpwalk (getnext)", async () => {
    const sim = await start("col11");
    const out = await snmp("snmpwalk", sim, [`.${ENT}.8.2.2.1`]);
    expect(out.code, out.stderr).toBe(0);
    const lines = out.stdout.trim().split("\n");
    // The table is the last subtree this agent serves: the walk ends with endOfMibView.
    expect(lines.at(-1)).toMatch(/No more variables left in this MIB View/);
    const column = (n: number): string[] =>
      lines.filter((l) => l.startsWith(`.${ENT}.8.2.2.1.${n}.`) && !l.includes("No more variables"));
    expect(column(2)).toHaveLength(12);
    expect(column(11)).toHaveLength(12);
    expect(column(13)).toHaveLength(0);
    expect(out.stdout).toContain(`.${ENT}.8.2.2.1.2.12 = STRING: "Outlet 12"`);
    const all = await snmp("snmpwalk", sim, [".1.3.6.1"]);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toContain(".1.3.6.1.2.1.1.1.0 = STRING:");
    expect(all.stdout).toContain(`.${ENT}.8.2.2.1.11.12 = INTEGER: 1`);
  });

  it("switches an outlet with snmpset, records the transition, refuses bad values", async () => {
    const sim = await start("col13");
    const before = Date.now();
    const set = await snmp("snmpset", sim, [`.${ENT}.8.2.2.1.13.3`, "i", "0"]);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain(`.${ENT}.8.2.2.1.13.3 = INTEGER: 0`);
    expect(sim.outletState(3)).toBe("off");
    expect(sim.outletState(4)).toBe("on");
    const get = await snmp("snmpget", sim, [`.${ENT}.8.2.2.1.13.3`]);
    expect(get.stdout).toContain("INTEGER: 0");
    const [t, ...rest] = sim.transitions();
    expect(rest).toHaveLength(0);
    expect(t).toMatchObject({ outlet: 3, from: "on", to: "off" });
    expect(t!.at).toBeGreaterThanOrEqual(before);
    const bad = await snmp("snmpset", sim, [`.${ENT}.8.2.2.1.13.3`, "i", "7"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr + bad.stdout).toMatch(/badValue|wrongValue/i);
    const ro = await snmp("snmpset", sim, [`.${ENT}.7.3.0`, "s", "x"]);
    expect(ro.code).not.toBe(0);
    expect(ro.stderr + ro.stdout).toMatch(/notWritable/i);
    expect(sim.transitions()).toHaveLength(1);
  });

  it("does not answer a wrong community, nor while muted; answers slowly when told", async () => {
    const sim = await start("col13");
    const wrong = await snmp("snmpget", sim, [`.${ENT}.7.3.0`], "notTheCommunity");
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr + wrong.stdout).toMatch(/Timeout/i);
    sim.mute();
    const muted = await snmp("snmpget", sim, [`.${ENT}.7.3.0`]);
    expect(muted.stderr + muted.stdout).toMatch(/Timeout/i);
    sim.mute(false);
    sim.setDelay(400);
    const slow = await snmp("snmpget", sim, [`.${ENT}.7.3.0`]);
    expect(slow.code, slow.stderr).toBe(0);
    expect(slow.ms).toBeGreaterThanOrEqual(350);
  });
});

describe("pdu-sim against fence_ipdu (column-11 variant)", () => {
  const fence = (sim: PduSim, action: string): Promise<Out> =>
    tool("fence_ipdu", [
      "-a",
      sim.address,
      "-u",
      String(sim.port),
      "-d",
      "2c",
      "-c",
      COMMUNITY,
      "-n",
      "7",
      "-o",
      action,
      "--power-wait=0",
      "--power-timeout=10",
    ]);

  it("status, off and on work as on the device fence_ipdu was written for", async () => {
    const sim = await start("col11");
    const status = await fence(sim, "status");
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/Status: ON/);
    const off = await fence(sim, "off");
    expect(off.code, off.stderr).toBe(0);
    expect(sim.outletState(7)).toBe("off");
    const status2 = await fence(sim, "status");
    expect(status2.code).toBe(2); // fence-agents: status of an off plug exits 2
    expect(status2.stdout).toMatch(/Status: OFF/);
    const on = await fence(sim, "on");
    expect(on.code, on.stderr).toBe(0);
    expect(sim.outletState(7)).toBe("on");
    expect(sim.transitions().map((t) => [t.outlet, t.to])).toEqual([
      [7, "off"],
      [7, "on"],
    ]);
  });
});
