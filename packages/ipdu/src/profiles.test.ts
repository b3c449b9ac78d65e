import { isDriverError } from "@haconn/config";
import { describe, expect, it } from "vitest";
import { PDU_PROFILES, parseFirmwareVersion, selectPduProfile } from "./profiles.js";

const IBM = "1.3.6.1.4.1.2.6.223";
const pick = (firmware: string, sysObjectId: string | null = IBM, forced: string | null = null) =>
  selectPduProfile({ firmware, sysObjectId }, forced).name;
const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (error) {
    if (isDriverError(error)) return error;
    throw error;
  }
  throw new Error("expected a refusal");
};

describe("IBM_PDU profiles", () => {
  it("parses the firmware spellings seen in the field", () => {
    expect(parseFirmwareVersion("OPDP_sIBM_v01.2_1")).toEqual([1, 2, 1]);
    expect(parseFirmwareVersion("v01_03_08")).toEqual([1, 3, 8]);
    expect(parseFirmwareVersion("1.3_3")).toEqual([1, 3, 3]);
    expect(parseFirmwareVersion("OPDP_sIBM_v01.5")).toEqual([1, 5, 0]);
    expect(parseFirmwareVersion("unknown")).toBeUndefined();
  });

  it("maps 1.2.x–1.3_2 to column 11 and 1.3_3 and later 1.x to column 13", () => {
    expect(pick("OPDP_sIBM_v01.2_1")).toBe("ibm-col11");
    expect(pick("1.3_2")).toBe("ibm-col11");
    expect(pick("1.3_3")).toBe("ibm-col13");
    expect(pick("v01_03_08")).toBe("ibm-col13");
    expect(pick("OPDP_sIBM_v01.6_2")).toBe("ibm-col13");
    const col11 = PDU_PROFILES.find((p) => p.name === "ibm-col11")!;
    expect(col11.statusColumn).toBe(`${IBM}.8.2.2.1.11`);
    expect(PDU_PROFILES.find((p) => p.name === "ibm-col13")!.controlColumn).toBe(`${IBM}.8.2.2.1.13`);
  });

  it("refuses unknown firmware, an unparsable version, other vendors and a missing sysObjectID", () => {
    for (const [fw, oid] of [
      ["OPDP_sIBM_v02.0_1", IBM],
      ["1.1_9", IBM],
      ["release 7", IBM],
      ["1.3_3", "1.3.6.1.4.1.318.1.3.4.5"],
      ["1.3_3", null],
    ] as const) {
      const e = refusal(() => pick(fw, oid));
      expect(e.code).toBe("DEVICE_UNSUPPORTED");
      expect(e.message).toMatch(/name a profile/);
    }
    expect(refusal(() => pick("v9", IBM)).details).toMatchObject({ firmware: "v9" });
  });

  it("a named profile wins over detection; an unknown name is refused", () => {
    expect(pick("OPDP_sIBM_v02.0_1", IBM, "ibm-col13")).toBe("ibm-col13");
    expect(pick("anything", null, "ibm-col11")).toBe("ibm-col11");
    expect(refusal(() => pick("1.3_3", IBM, "apc")).message).toMatch(/unknown PDU profile "apc"/);
  });

  it("every profile says it is not yet confirmed on a real device", () => {
    expect(PDU_PROFILES.every((p) => p.confirmedOnDevice === false)).toBe(true);
  });
});
