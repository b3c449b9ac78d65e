import { describe, expect, it } from "vitest";
import { formatReloadSummary } from "./reload-summary.js";

const summary = {
  completed: false,
  subjects: [
    { subject: "Management Server", success: 0, total: 0, result: "Success" },
    { subject: "Physical Server", success: 0, total: 1, result: "Failed" },
    { subject: "iPDU", success: 0, total: 0, result: "Success" },
  ],
  pservers: [{ name: "PSERVER1", operation: "Change", result: "Error" }],
  pdus: [],
  mservers: [
    { name: "HACON1", result: "No Change" },
    { name: "HACON2", result: "No Change" },
  ],
} as const;

describe("formatReloadSummary", () => {
  it("prints haconnd's notes after the manual's sections", () => {
    const text = formatReloadSummary({
      ...summary,
      subjects: [...summary.subjects],
      pservers: [...summary.pservers],
      pdus: [],
      mservers: [...summary.mservers],
      notes: [
        "physical server PSERVER1 (Change): not applied: the HA monitor on PSERVER1 is running",
        "standby",
      ],
    });
    expect(
      text.endsWith(
        "HACON2                          : No Change\n\n- Notes:\n" +
          "* physical server PSERVER1 (Change): not applied: the HA monitor on PSERVER1 is running\n* standby\n",
      ),
    ).toBe(true);
  });

  it("prints no notes section without notes (the manual's layout exactly)", () => {
    const text = formatReloadSummary({
      ...summary,
      subjects: [...summary.subjects],
      pservers: [...summary.pservers],
      pdus: [],
      mservers: [...summary.mservers],
    });
    expect(text).not.toContain("Notes");
    expect(text.endsWith("HACON2                          : No Change\n")).toBe(true);
  });
});
