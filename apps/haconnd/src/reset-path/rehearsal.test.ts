import { createEngineState, EngineRunner } from "@haconn/core";
import { buildConfig, SimulatedClock } from "@haconn/core/test";
import { generateAuthKey } from "@haconn/protocol";
import { describe, expect, it } from "vitest";
import { rehearseResetPath } from "./rehearsal.js";

const NO_WARNINGS = {
  standbyNotSynchronised: false,
  standbyAbnormal: false,
  managementServerNotResettable: false,
};

function setup(servers: Parameters<typeof buildConfig>[0]["servers"]) {
  // The daemon's clock has sub-millisecond time (performance.now based): so has this one.
  const clock = new SimulatedClock(Date.UTC(2026, 3, 1) + 0.25);
  const config = buildConfig({ servers, hispeedMs: 1000 });
  const sent: unknown[] = [];
  const runner = new EngineRunner(createEngineState(config), {
    clock,
    controller: () => {
      throw new Error("the rehearsal must not touch a device");
    },
    send: (e) => sent.push(e),
    log: () => sent.push("log"),
  });
  return { clock, config, runner, sent };
}

describe("rehearseResetPath", () => {
  it("plays reset lifecycles and encodes (signs) their datagrams; the live engine, its ports and timers stay untouched", () => {
    const { clock, config, runner, sent } = setup([
      { name: "PSERVER1" },
      { name: "PSERVER2" },
      { name: "VHOST1", virtual: true },
    ]);
    const key = generateAuthKey(7);
    const before = JSON.stringify(runner.state.shared);
    const r = rehearseResetPath({
      config,
      key: { keys: [key], send: key },
      clock,
      nodeName: "HACON1",
      engine: () => runner,
      redundancy: () => NO_WARNINGS,
    });
    expect(r.steps).toBeGreaterThan(20);
    // CHECK replies, RESET-ACCEPTED, RESET-RESULT and ATTENTION copies of every lifecycle.
    expect(r.datagrams).toBeGreaterThan(20);
    expect(JSON.stringify(runner.state.shared)).toBe(before);
    expect(sent).toEqual([]);
    // The scratch service's repeat series are stopped: no timer outlives the rehearsal.
    expect(clock.pending).toBe(0);
  });

  it("without a key (insecure switch) it encodes unsigned, and with one system it plays nothing", () => {
    const { clock, config, runner } = setup([{ name: "PSERVER1" }]);
    const r = rehearseResetPath({
      config,
      key: undefined,
      clock,
      nodeName: "HACON1",
      engine: () => runner,
      redundancy: () => NO_WARNINGS,
    });
    expect(r.steps).toBe(0);
    expect(r.datagrams).toBe(0);
  });
});
