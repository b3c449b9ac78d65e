import { describe, expect, it } from "vitest";
import type { PlannedChange } from "./plan.js";
import { buildSummary } from "./summary.js";

const ch = (
  c: Partial<PlannedChange> & Pick<PlannedChange, "subject" | "name" | "operation">,
): PlannedChange => ({
  category: 1,
  fields: [],
  applied: true,
  ...c,
});

describe("buildSummary", () => {
  it("completed: everything applied and the standby copied and restarted", () => {
    const s = buildSummary({
      changes: [ch({ subject: "pserver", name: "ha8kn0005", operation: "Add" })],
      mservers: ["msserver01", "msserver02"],
      self: "msserver01",
      localChanged: true,
      standby: { ok: true, name: "msserver02", changed: true },
    });
    expect(s).toEqual({
      completed: true,
      subjects: [
        { subject: "Management Server", success: 0, total: 0, result: "Success" },
        { subject: "Physical Server", success: 1, total: 1, result: "Success" },
        { subject: "iPDU", success: 0, total: 0, result: "Success" },
      ],
      pservers: [{ name: "ha8kn0005", operation: "Add", result: "Success" }],
      pdus: [],
      mservers: [
        { name: "msserver01", result: "Change" },
        { name: "msserver02", result: "Change" },
      ],
      notes: [],
    });
  });

  it("the manual's failed example: a refused delete, an applied add, the standby not updated", () => {
    const s = buildSummary({
      changes: [
        ch({
          subject: "pserver",
          name: "ha8kn0003",
          operation: "Delete",
          category: 2,
          applied: false,
          refusal: "the HA monitor on ha8kn0003 is running",
        }),
        ch({ subject: "pserver", name: "ha8kn0005", operation: "Add" }),
        ch({ subject: "pdu", name: "192.168.1.101", operation: "Add" }),
      ],
      mservers: ["msserver02", "msserver01"],
      self: "msserver01",
      localChanged: false,
      standby: { ok: false, name: "msserver02", why: "not every change was applied" },
    });
    expect(s.completed).toBe(false);
    expect(s.subjects[1]).toEqual({ subject: "Physical Server", success: 1, total: 2, result: "Failed" });
    expect(s.subjects[2]).toEqual({ subject: "iPDU", success: 1, total: 1, result: "Success" });
    expect(s.pservers).toEqual([
      { name: "ha8kn0003", operation: "Delete", result: "Error" },
      { name: "ha8kn0005", operation: "Add", result: "Success" },
    ]);
    expect(s.pdus).toEqual([{ addr: "192.168.1.101", operation: "Add", result: "Success" }]);
    expect(s.mservers).toEqual([
      { name: "msserver02", result: "No Change" },
      { name: "msserver01", result: "No Change" },
    ]);
    expect(s.notes[0]).toBe(
      "physical server ha8kn0003 (Delete): not applied: the HA monitor on ha8kn0003 is running",
    );
    expect(s.notes[1]).toMatch(/not copied to the standby connector msserver02 .*not synchronised/);
  });

  it("everything applied locally but no standby: failed, the standby row says No Change", () => {
    const s = buildSummary({
      changes: [ch({ subject: "mserver", name: "HACON1", operation: "Change", category: 3 })],
      mservers: ["HACON1", "HACON2"],
      self: "HACON1",
      localChanged: true,
      standby: { ok: false, name: "HACON2", why: "the standby connector is not connected" },
    });
    expect(s.completed).toBe(false);
    expect(s.subjects[0]).toEqual({ subject: "Management Server", success: 1, total: 1, result: "Success" });
    expect(s.mservers).toEqual([
      { name: "HACON1", result: "Change" },
      { name: "HACON2", result: "No Change" },
    ]);
    expect(s.notes).toEqual([expect.stringMatching(/HACON2 \(the standby connector is not connected\)/)]);
  });

  it("a global setting that needs a restart is only a note (no subject counts it)", () => {
    const s = buildSummary({
      changes: [
        ch({
          subject: "global",
          name: "hispeed",
          operation: "Change",
          category: "restart",
          applied: false,
          refusal: "hispeed changed: restart",
        }),
      ],
      mservers: ["HACON1", "HACON2"],
      self: "HACON1",
      localChanged: false,
      standby: { ok: false, name: "HACON2", why: "x" },
    });
    expect(s.subjects.every((x) => x.total === 0)).toBe(true);
    expect(s.notes[0]).toBe("hispeed: not applied: hispeed changed: restart");
  });
});
