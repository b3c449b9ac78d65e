import { type HaconnConfig, resolveConfig } from "@haconn/config";
import { sampleBmc, sampleConfig } from "@haconn/config/test";
import { describe, expect, it } from "vitest";
import { classifyChanges } from "./classify.js";

const base = () => sampleConfig({ pservers: 2, pdus: 2, ipdusd: true });
const diff = (edit: (c: HaconnConfig) => void) => {
  const before = base();
  const after = base();
  edit(after);
  return classifyChanges(resolveConfig(before), resolveConfig(after));
};

describe("classifyChanges", () => {
  it("finds nothing in an unchanged configuration", () => {
    expect(diff(() => undefined)).toEqual([]);
  });

  it("category 1: a new managed server (with vserver and PDU links) and a new PDU", () => {
    const changes = diff((c) => {
      c.pdus.push({ key: "127.0.3.9", addr: "127.0.3.9", port: 161, model: "IBM_PDU", profile: null });
      c.pservers.push({
        name: "PSERVER3",
        bmc: sampleBmc("127.0.1.99"),
        cluster: true,
        ipdusd: true,
        timeoutSec: 5,
        recoveryTimeSec: 0,
        vserver: {
          addr: "127.0.5.1",
          port: 22,
          account: "root",
          password: "pw",
          enabled: true,
          hostKey: null,
        },
        outlets: [{ pdu: "127.0.3.9", outlet: 1 }],
      });
    });
    expect(changes).toEqual([
      { subject: "pserver", name: "PSERVER3", operation: "Add", category: 1, fields: [] },
      { subject: "pdu", name: "127.0.3.9", operation: "Add", category: 1, fields: [] },
    ]);
  });

  it("category 2: pserver del, a non-PDU pserver mod, a vserver change of a running server", () => {
    const changes = diff((c) => {
      c.pservers = c.pservers.filter((p) => p.name !== "PSERVER2");
      c.pservers[0]!.bmc.addr = "127.0.1.77";
      c.pservers[0]!.cluster = true;
    });
    expect(changes).toEqual([
      { subject: "pserver", name: "PSERVER1", operation: "Change", category: 2, fields: ["bmc", "cluster"] },
      { subject: "pserver", name: "PSERVER2", operation: "Delete", category: 2, fields: [] },
    ]);
    const vs = diff((c) => {
      c.pservers[1]!.vserver = {
        addr: "127.0.5.1",
        port: 22,
        account: "root",
        password: "pw",
        enabled: true,
        hostKey: null,
      };
    });
    expect(vs).toEqual([
      { subject: "pserver", name: "PSERVER2", operation: "Change", category: 2, fields: ["vserver"] },
    ]);
  });

  it("a pserver mod mixing PDU and other settings is category 2", () => {
    const changes = diff((c) => {
      c.pservers[0]!.timeoutSec = 30;
      c.pservers[0]!.bmc.account = "other";
    });
    expect(changes[0]).toMatchObject({ category: 2, fields: ["bmc", "timeoutSec"] });
  });

  it("category 3: PDU parts of pserver/mserver mod, ipduadd/ipdudel, PDU delete", () => {
    const changes = diff((c) => {
      c.pservers[0]!.recoveryTimeSec = 0;
      c.pservers[1]!.outlets = [];
      c.mservers[0]!.timeoutSec = 20;
      c.mservers[1]!.outlets = [{ pdu: "127.0.3.2", outlet: 7 }];
      c.mservers[0]!.outlets = [];
      c.pdus.push({ key: "127.0.3.9", addr: "127.0.3.9", port: 161, model: "IBM_PDU", profile: null });
    });
    expect(changes.map((c) => [c.subject, c.name, c.operation, c.category, c.fields])).toEqual([
      ["mserver", "HACON1", "Change", 3, ["outlets", "timeoutSec"]],
      ["mserver", "HACON2", "Change", 3, ["outlets"]],
      ["pserver", "PSERVER1", "Change", 3, ["recoveryTimeSec"]],
      ["pserver", "PSERVER2", "Change", 3, ["outlets"]],
      ["pdu", "127.0.3.9", "Add", 1, []],
    ]);
    const del = diff((c) => {
      for (const m of c.mservers) m.outlets = [];
      c.pdus = c.pdus.filter((p) => p.key !== "127.0.3.2");
    });
    expect(del.find((c) => c.subject === "pdu")).toMatchObject({ operation: "Delete", category: 3 });
  });

  it("a PDU re-registered with another profile is an Add of category 3", () => {
    const changes = diff((c) => {
      c.pdus[0]!.profile = "ibm-col13"; // a known profile (issue #20: unknown ones are refused)
    });
    expect(changes).toEqual([
      { subject: "pdu", name: "127.0.3.1", operation: "Add", category: 3, fields: ["profile"] },
    ]);
  });

  it("refuses with a reason what needs a restart: resetpath, hispeed, snmp, mserver add/del/addr/mlan", () => {
    const changes = diff((c) => {
      c.resetpath!.port = 20011;
      c.hispeed = { enabled: true, resetTimeMs: 2000 };
      c.snmp = { community: "other" };
      c.mservers[0]!.bmc.addr = "127.0.1.55";
      c.mservers[1]!.mlan = { addr: "127.0.2.9", port: 20002 };
    });
    expect(
      changes.every((c) => c.category === "restart" && /stop both connectors/.test(c.reason ?? "")),
    ).toBe(true);
    expect(changes.map((c) => c.name)).toEqual(["resetpath", "hispeed", "snmp", "HACON1", "HACON2"]);
    expect(changes[3]!.reason).toMatch(/^bmc of a management server changed/);
    expect(changes[4]!.reason).toMatch(/^mlan of a management server changed/);
    // Never a value, only field names: the community and passwords stay out of reasons.
    expect(JSON.stringify(changes)).not.toContain("other");
    const del = diff((c) => {
      c.mservers.pop();
    });
    expect(del).toEqual([
      expect.objectContaining({ subject: "mserver", operation: "Delete", category: "restart" }),
    ]);
    expect(del[0]!.reason).toMatch(/management server was deleted/);
  });

  it("an mserver mod mixing PDU and iLO settings needs a restart", () => {
    const changes = diff((c) => {
      c.mservers[0]!.timeoutSec = 30;
      c.mservers[0]!.bmc.account = "root2";
    });
    expect(changes).toEqual([
      expect.objectContaining({ category: "restart", fields: ["bmc", "timeoutSec"] }),
    ]);
  });
});
