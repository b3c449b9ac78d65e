import { afterEach, describe, expect, it } from "vitest";
import { buildConfig, EngineHarness } from "./test/index.js";

const T0 = Date.UTC(2026, 3, 1, 0, 0, 0);
const harnesses: EngineHarness[] = [];
afterEach(() => {
  for (const h of harnesses.splice(0)) h.stop();
});

function make() {
  const config = buildConfig({
    servers: [
      {
        name: "PSERVER1",
        ipdusd: true,
        outlets: [
          ["127.0.3.1", 1],
          ["127.0.3.2", 2],
        ],
      },
      { name: "PSERVER2" },
    ],
    pdus: ["127.0.3.1", "127.0.3.2"],
    hispeedMs: 1000,
  });
  const h = new EngineHarness(config);
  harnesses.push(h);
  h.check(10001, "PSERVER1");
  h.check(10002, "PSERVER2");
  return h;
}

describe("haconnserver reset (software reset test)", () => {
  it("NMI with ---- for IP/port/req; the DUMP notice completes it and reports the duration", async () => {
    const h = make();
    h.dispatch({
      type: "command",
      id: "c1",
      command: { type: "softResetTest", system: "PSERVER1", subsystem: 10001 },
    });
    await h.clock.advance(2500);
    h.dump(10001);
    await h.clock.flush();
    expect(h.bareLines.slice(0, 3)).toEqual([
      "SOFTRESET PSERVER1 10001 SEND ---- ---- ---- P",
      "SOFTRESET PSERVER1 10001 RECV ---- ---- ---- P",
      "ATTENTION PSERVER1 10001 RECV 127.0.0.101 7410 10001 P DUMP",
    ]);
    expect(h.commandResults).toMatchObject([
      { id: "c1", ok: true, message: "DUMP notice 2500 ms after the software reset" },
    ]);
    expect(h.controller("bmc:PSERVER1").count("reset")).toBe(0);
    expect(h.state.shared.monitors["6001/10001"]?.status).toBe("dump");
  });

  it("does not escalate: no DUMP notice within the wait is reported, no hardware reset", async () => {
    const h = make();
    h.dispatch({
      type: "command",
      id: "c1",
      command: { type: "softResetTest", system: "PSERVER1", subsystem: 10001 },
    });
    await h.clock.advance(61_000);
    expect(h.controller("bmc:PSERVER1").count("reset")).toBe(0);
    expect(h.commandResults).toMatchObject([{ ok: false, code: "FAIL" }]);
    expect(h.state.shared.monitors["6001/10001"]?.status).toBe("normal");
  });

  it("a real RESET during the test takes it over and escalates from the original NMI time", async () => {
    const h = make();
    h.dispatch({
      type: "command",
      id: "c1",
      command: { type: "softResetTest", system: "PSERVER1", subsystem: 10001 },
    });
    await h.clock.advance(3000);
    h.reset(10002, 10001, "PSERVER1", 1);
    await h.clock.advance(10);
    const bmc = h.controller("bmc:PSERVER1");
    expect(bmc.count("nmi")).toBe(1);
    expect(bmc.calls.find((c) => c.op === "reset")?.at).toBe(T0 + 3000);
    expect(h.sentOf("sendResult")).toMatchObject([{ result: "DUMP" }]);
    expect(h.commandResults).toMatchObject([{ ok: false, code: "SUPERSEDED" }]);
  });

  it("refuses unregistered systems", () => {
    const h = make();
    h.dispatch({
      type: "command",
      id: "c1",
      command: { type: "softResetTest", system: "PSERVER1", subsystem: 1 },
    });
    expect(h.commandResults).toMatchObject([{ ok: false, code: "NOT_REGISTERED" }]);
  });
});

describe("haconnserver ipdusd / acrecovery", () => {
  it("same: cut all, restore after offtime", async () => {
    const h = make();
    h.dispatch({
      type: "command",
      id: "t",
      command: { type: "pduTest", system: "PSERVER1", mode: "same", offtimeSec: 7 },
    });
    await h.clock.advance(6999);
    expect(h.controller("outlet:127.0.3.1#1").power).toBe("off");
    expect(h.controller("outlet:127.0.3.2#2").power).toBe("off");
    await h.clock.advance(1);
    expect(h.controller("outlet:127.0.3.1#1").power).toBe("on");
    expect(h.commandResults).toMatchObject([{ id: "t", ok: true }]);
    expect(h.bareLines[0]).toBe("IPDUSD PSERVER1 ---- SEND ---- ---- ---- 127.0.3.1 1 OFF");
    expect(h.bareLines).toHaveLength(8);
  });

  it("serial: one outlet at a time, wtime between them", async () => {
    const h = make();
    h.dispatch({
      type: "command",
      id: "t",
      command: { type: "pduTest", system: "PSERVER1", mode: "serial" },
    });
    await h.clock.advance(100);
    expect(h.controller("outlet:127.0.3.1#1").power).toBe("off");
    expect(h.controller("outlet:127.0.3.2#2").count("off")).toBe(0);
    await h.clock.advance(5000 + 5000);
    const second = h.controller("outlet:127.0.3.2#2").calls.map((c) => [c.op, c.at - T0]);
    expect(second).toEqual([["off", 10_000]]);
    await h.clock.advance(5000);
    expect(h.commandResults).toMatchObject([{ ok: true }]);
    expect(h.bareLines.map((l) => l.split(" ").slice(-3).join(" "))).toEqual([
      "127.0.3.1 1 OFF",
      "127.0.3.1 1 OFF",
      "127.0.3.1 1 ON",
      "127.0.3.1 1 ON",
      "127.0.3.2 2 OFF",
      "127.0.3.2 2 OFF",
      "127.0.3.2 2 ON",
      "127.0.3.2 2 ON",
    ]);
  });

  it("validates the manual's ranges and combinations", () => {
    const h = make();
    const bad = [
      { type: "pduTest", system: "PSERVER1", mode: "same", addr: "127.0.3.1" },
      { type: "pduTest", system: "PSERVER1", mode: "same", wtimeSec: 5 },
      { type: "pduTest", system: "PSERVER1", mode: "serial", offtimeSec: 4 },
      { type: "pduTest", system: "PSERVER1", mode: "serial", wtimeSec: 61 },
      { type: "pduTest", system: "PSERVER1", mode: "serial", addr: "127.0.3.9" },
      { type: "pduTest", system: "PSERVER2", mode: "serial" },
      { type: "acrecovery", system: "NOSUCH" },
    ] as const;
    for (const [i, command] of bad.entries()) h.dispatch({ type: "command", id: `b${i}`, command });
    expect(h.commandResults.map((r) => r.code)).toEqual([
      "BAD_ARGUMENT",
      "BAD_ARGUMENT",
      "BAD_ARGUMENT",
      "BAD_ARGUMENT",
      "BAD_ARGUMENT",
      "NO_OUTLETS",
      "UNKNOWN_SERVER",
    ]);
  });

  it("acrecovery powers every outlet of the server on", async () => {
    const h = make();
    h.controller("outlet:127.0.3.1#1").power = "off";
    h.dispatch({ type: "command", id: "r", command: { type: "acrecovery", system: "PSERVER1" } });
    await h.clock.flush();
    expect(h.controller("outlet:127.0.3.1#1").power).toBe("on");
    expect(h.commandResults).toMatchObject([{ id: "r", ok: true }]);
    expect(h.bareLines).toContain("IPDUSD PSERVER1 ---- RECV ---- ---- ---- 127.0.3.2 2 ON");
  });
});
