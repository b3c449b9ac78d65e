import { describe, expect, it } from "vitest";
import { hasRedundancyWarning, redundancyWarning, standaloneRedundancyWarning } from "./redundancy.js";

const ok = { bmc: "OK", ipdu: "OK" } as const;

describe("redundancy warning (KAMN655-W)", () => {
  it("none for a synchronised pair with both servers resettable", () => {
    const w = redundancyWarning({
      link: "OK",
      self: { role: "active", status: "normal", ...ok },
      peer: { role: "standby", status: "normal", bmc: "OK", ipdu: "--" },
    });
    expect(hasRedundancyWarning(w)).toBe(false);
  });

  it("each condition on its own", () => {
    const self = { role: "active", status: "normal", ...ok } as const;
    const peer = { role: "standby", status: "normal", ...ok } as const;
    expect(redundancyWarning({ link: "NG", self, peer })).toEqual({
      standbyNotSynchronised: true,
      standbyAbnormal: false,
      serverNotResettable: false,
    });
    expect(redundancyWarning({ link: "OK", self, peer: { ...peer, status: "error" } }).standbyAbnormal).toBe(
      true,
    );
    expect(redundancyWarning({ link: "OK", self, peer: { ...peer, ipdu: "NG" } }).serverNotResettable).toBe(
      true,
    );
  });

  it("alone: no standby, and resettable only with two known, reachable management servers", () => {
    expect(standaloneRedundancyWarning([ok, ok])).toEqual({
      standbyNotSynchronised: true,
      standbyAbnormal: true,
      serverNotResettable: false,
    });
    expect(standaloneRedundancyWarning([ok]).serverNotResettable).toBe(true);
    expect(standaloneRedundancyWarning([ok, { bmc: "NG", ipdu: "--" }]).serverNotResettable).toBe(true);
  });
});
