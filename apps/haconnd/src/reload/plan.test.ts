import { canonicalJson, type HaconnConfig, resolveConfig, validateConfig } from "@haconn/config";
import { sampleBmc, sampleConfig } from "@haconn/config/test";
import { describe, expect, it } from "vitest";
import { planReload, type RuntimeFacts } from "./plan.js";

const base = () => sampleConfig({ pservers: 3, pdus: 2, ipdusd: true });
const idle: RuntimeFacts = { runningMonitors: new Map(), resettingSystems: new Set(), busyPdus: new Set() };
const plan = (edit: (c: HaconnConfig) => void, facts: Partial<RuntimeFacts> = {}) => {
  const after = base();
  edit(after);
  return planReload(resolveConfig(base()), resolveConfig(after), { ...idle, ...facts });
};
const newServer = (name: string, bmc: string) => ({
  name,
  bmc: sampleBmc(bmc),
  cluster: false,
  ipdusd: false,
  timeoutSec: null,
  recoveryTimeSec: null,
  vserver: null,
  outlets: [],
});

describe("planReload", () => {
  it("applies every category when nothing runs: the configuration to run is the file's", () => {
    const p = plan((c) => {
      c.pservers.push(newServer("PSERVER9", "127.0.1.90"));
      c.pservers = c.pservers.filter((s) => s.name !== "PSERVER3");
      c.pservers[0]!.cluster = true;
      c.pservers[1]!.recoveryTimeSec = 0;
    });
    expect(p.complete).toBe(true);
    expect(p.changes.every((c) => c.applied)).toBe(true);
    const after = base();
    after.pservers.push(newServer("PSERVER9", "127.0.1.90"));
    after.pservers = after.pservers.filter((s) => s.name !== "PSERVER3");
    after.pservers[0]!.cluster = true;
    after.pservers[1]!.recoveryTimeSec = 0;
    expect(canonicalJson(p.config)).toBe(canonicalJson(after));
  });

  it("category 1 and 3 apply while the HA monitors run", () => {
    const p = plan(
      (c) => {
        c.pservers.push(newServer("PSERVER9", "127.0.1.90"));
        c.pservers[0]!.timeoutSec = 40;
        c.pservers[0]!.outlets = [{ pdu: "127.0.3.1", outlet: 11 }];
      },
      { runningMonitors: new Map([["PSERVER1", "subsystem 1, last CHECK 0 s ago"]]) },
    );
    expect(p.complete).toBe(true);
    expect(p.changes.map((c) => [c.name, c.category, c.applied])).toEqual([
      ["PSERVER1", 3, true],
      ["PSERVER9", 1, true],
    ]);
  });

  it("category 2 is refused while that server's HA monitor runs, with the manual's wording", () => {
    const p = plan(
      (c) => {
        c.pservers[0]!.bmc.addr = "127.0.1.88"; // category 2, monitor running: refused
        c.pservers[1]!.cluster = true; // category 2, no monitor: applied
        c.pservers.push(newServer("PSERVER9", "127.0.1.90")); // category 1: applied
      },
      { runningMonitors: new Map([["PSERVER1", "subsystem 10001, last CHECK 2 s ago"]]) },
    );
    expect(p.complete).toBe(false);
    const refused = p.changes.find((c) => c.name === "PSERVER1")!;
    expect(refused.applied).toBe(false);
    expect(refused.refusal).toMatch(
      /HA monitor on PSERVER1 is running \(subsystem 10001, last CHECK 2 s ago\)/,
    );
    expect(refused.refusal).toMatch(/must be stopped first/);
    // The running configuration keeps PSERVER1 as it was and takes the rest, in the file's order.
    expect(p.config.pservers.map((s) => s.name)).toEqual(["PSERVER1", "PSERVER2", "PSERVER3", "PSERVER9"]);
    expect(p.config.pservers[0]!.bmc.addr).toBe(base().pservers[0]!.bmc.addr);
    expect(p.config.pservers[1]!.cluster).toBe(true);
    expect(validateConfig(p.config).ok).toBe(true);
  });

  it("a refused delete keeps the server in the running configuration", () => {
    const p = plan(
      (c) => {
        c.pservers = c.pservers.filter((s) => s.name !== "PSERVER2");
      },
      { runningMonitors: new Map([["PSERVER2", "subsystem 2, last CHECK 1 s ago"]]) },
    );
    expect(p.changes).toEqual([
      expect.objectContaining({ name: "PSERVER2", operation: "Delete", applied: false }),
    ]);
    expect(p.config.pservers.map((s) => s.name)).toEqual(["PSERVER1", "PSERVER3", "PSERVER2"]);
  });

  it("any change of a server being reset is refused (reset in progress), even PDU-only", () => {
    const p = plan(
      (c) => {
        c.pservers[2]!.recoveryTimeSec = 30;
      },
      { resettingSystems: new Set(["PSERVER3"]) },
    );
    expect(p.changes[0]).toMatchObject({ applied: false });
    expect(p.changes[0]!.refusal).toMatch(/reset of PSERVER3 is in progress/);
    expect(p.config.pservers[2]!.recoveryTimeSec).toBe(10);
  });

  it("a PDU whose outlets a reset is using is not deleted", () => {
    const p = plan(
      (c) => {
        for (const m of c.mservers) m.outlets = [];
        c.pdus = c.pdus.filter((d) => d.key !== "127.0.3.2");
      },
      { busyPdus: new Set(["127.0.3.2"]) },
    );
    expect(p.changes.find((c) => c.subject === "pdu")).toMatchObject({ applied: false });
    expect(p.changes.filter((c) => c.subject === "mserver").every((c) => c.applied)).toBe(true);
    expect(p.config.pdus.map((d) => d.key)).toEqual(["127.0.3.1", "127.0.3.2"]);
    expect(p.config.mservers.every((m) => m.outlets.length === 0)).toBe(true);
  });

  it("a PDU still feeding a server whose change was refused is not deleted", () => {
    const p = plan(
      (c) => {
        for (const s of c.pservers) s.outlets = [];
        c.pservers[0]!.bmc.account = "changed"; // category 2 with a running monitor: refused
        for (const m of c.mservers) m.outlets = [{ pdu: "127.0.3.2", outlet: m.name === "HACON1" ? 1 : 2 }];
        c.pdus = c.pdus.filter((d) => d.key !== "127.0.3.1");
      },
      { runningMonitors: new Map([["PSERVER1", "subsystem 1, last CHECK 0 s ago"]]) },
    );
    const pdu = p.changes.find((c) => c.subject === "pdu")!;
    expect(pdu).toMatchObject({ name: "127.0.3.1", operation: "Delete", applied: false });
    expect(pdu.refusal).toMatch(/still feeds PSERVER1/);
    expect(validateConfig(p.config).ok).toBe(true);
  });

  it("restart-class changes are refused and the rest still applies", () => {
    const p = plan((c) => {
      c.hispeed = { enabled: true, resetTimeMs: 3000 };
      c.pservers.push(newServer("PSERVER9", "127.0.1.90"));
    });
    expect(p.complete).toBe(false);
    expect(p.changes.find((c) => c.name === "hispeed")).toMatchObject({ applied: false });
    expect(p.config.hispeed.enabled).toBe(false);
    expect(p.config.pservers.map((s) => s.name)).toContain("PSERVER9");
  });

  it("when the applicable changes alone are invalid, nothing is applied", () => {
    // PSERVER1 (refused) keeps its BMC address; PSERVER9 (added) takes the same one.
    const p = plan(
      (c) => {
        const old = c.pservers[0]!.bmc.addr;
        c.pservers[0]!.bmc.addr = "127.0.1.66";
        c.pservers.push(newServer("PSERVER9", old));
      },
      { runningMonitors: new Map([["PSERVER1", "subsystem 1, last CHECK 0 s ago"]]) },
    );
    expect(p.changes.every((c) => !c.applied)).toBe(true);
    expect(p.changes.find((c) => c.name === "PSERVER9")!.refusal).toMatch(
      /do not form a valid configuration/,
    );
    expect(canonicalJson(p.config)).toBe(canonicalJson(base()));
  });
});
