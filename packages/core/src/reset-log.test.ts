import { describe, expect, it } from "vitest";
import { formatLogTime, formatResetLog, testLogContext } from "./reset-log.js";
import type { LogContext } from "./types.js";

const at = Date.UTC(2026, 2, 5, 7, 8, 9) + 12.3456;
const ctx: LogContext = {
  system: "PSERVER1",
  target: "10001",
  ip: "127.0.0.102",
  port: "6001",
  req: "10002",
  category: "P",
};

describe("reset log", () => {
  it("formats the timestamp with a colon before six digits of microseconds", () => {
    expect(formatLogTime(at, "utc")).toBe("[2026/03/05 07:08:09:012346]");
    expect(formatLogTime(Date.UTC(2026, 0, 1), "utc")).toBe("[2026/01/01 00:00:00:000000]");
    expect(formatLogTime(Date.UTC(2026, 0, 1) + 999.999, "utc")).toBe("[2026/01/01 00:00:00:999999]");
  });

  it("formats the five kinds exactly", () => {
    const t = "[2026/03/05 07:08:09:012346]";
    expect(formatResetLog({ type: "RM-RESET", at, dir: "RECV", ctx, response: "----" }, "utc")).toBe(
      `${t} RM-RESET PSERVER1 10001 RECV 127.0.0.102 6001 10002 P ----`,
    );
    expect(formatResetLog({ type: "RM-RESET", at, dir: "SEND", ctx, response: "POFF" }, "utc")).toBe(
      `${t} RM-RESET PSERVER1 10001 SEND 127.0.0.102 6001 10002 P POFF`,
    );
    expect(formatResetLog({ type: "SOFTRESET", at, dir: "SEND", ctx }, "utc")).toBe(
      `${t} SOFTRESET PSERVER1 10001 SEND 127.0.0.102 6001 10002 P`,
    );
    expect(
      formatResetLog({ type: "HARDRESET", at, dir: "RECV", ctx: { ...ctx, category: "V" } }, "utc"),
    ).toBe(`${t} HARDRESET PSERVER1 10001 RECV 127.0.0.102 6001 10002 V`);
    expect(
      formatResetLog(
        { type: "ATTENTION", at, dir: "SEND", ctx: { ...ctx, req: "----" }, state: "REBOOT" },
        "utc",
      ),
    ).toBe(`${t} ATTENTION PSERVER1 10001 SEND 127.0.0.102 6001 ---- P REBOOT`);
    expect(
      formatResetLog(
        {
          type: "IPDUSD",
          at,
          dir: "SEND",
          ctx: testLogContext("PSERVER1"),
          pduAddr: "127.0.3.1",
          outlet: 12,
          action: "OFF",
        },
        "utc",
      ),
    ).toBe(`${t} IPDUSD PSERVER1 ---- SEND ---- ---- ---- 127.0.3.1 12 OFF`);
  });
});
