import { describe, expect, it } from "vitest";
import { parseResetLogLine } from "./resetlog.js";

describe("reset log lines", () => {
  it("reads the time (local, microseconds) and the fields of each format", () => {
    const e = parseResetLogLine(
      "[2024/03/05 14:07:09:123456] RM-RESET PSERVER3 10003 RECV 127.0.77.14 40001 10004 P ----",
    );
    expect(e).toMatchObject({ type: "RM-RESET", system: "PSERVER3", target: "10003", dir: "RECV" });
    expect(e!.rest).toEqual(["127.0.77.14", "40001", "10004", "P", "----"]);
    expect(e!.at - new Date(2024, 2, 5, 14, 7, 9).getTime()).toBeCloseTo(123.456, 3);
    const cut = parseResetLogLine(
      "[2024/03/05 14:07:10:000001] IPDUSD PSERVER6 10006 SEND ---- ---- ---- 127.0.0.1:161 2 OFF",
    );
    expect(cut?.rest.slice(-2)).toEqual(["2", "OFF"]);
  });

  it("ignores lines of another shape", () => {
    expect(parseResetLogLine("")).toBeUndefined();
    expect(parseResetLogLine("[2024/03/05 14:07:09] RM-RESET X 1 RECV")).toBeUndefined();
    expect(parseResetLogLine("[2024/03/05 14:07:09:123456] OTHER X 1 RECV a")).toBeUndefined();
  });
});
