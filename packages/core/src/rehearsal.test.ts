import { describe, expect, it } from "vitest";
import { createEngineState } from "./engine.js";
import { rehearseResets } from "./rehearsal.js";
import { buildConfig } from "./test/index.js";
import type { Effect } from "./types.js";

describe("rehearseResets", () => {
  it("plays whole reset lifecycles on a scratch state: NMI, hardware reset, result; NMI, dump notice, ATTENTION", () => {
    const config = buildConfig({
      servers: [{ name: "PSERVER1" }, { name: "PSERVER2" }, { name: "VHOST1", virtual: true }],
      hispeedMs: 1000,
    });
    const effects: Effect[] = [];
    const steps = rehearseResets(config, { rounds: 2, onEffect: (e) => effects.push(e) });
    expect(steps).toBeGreaterThan(0);
    const ops = effects.flatMap((e) => (e.kind === "device" ? [`${e.device.type} ${e.op}`] : []));
    // Physical (BMC) and guest (ESXi) NMIs and hardware resets, as a real reset would issue them.
    expect(ops).toEqual(expect.arrayContaining(["bmc nmi", "bmc reset", "guest nmi", "guest reset"]));
    const sends = new Set(effects.map((e) => e.kind).filter((k) => k.startsWith("send")));
    expect([...sends].sort()).toEqual(["sendAccepted", "sendAttention", "sendCheckReply", "sendResult"]);
    const attention = effects.flatMap((e) => (e.kind === "sendAttention" ? [e.state] : []));
    expect(attention).toEqual(expect.arrayContaining(["DUMP"]));
    expect(effects.some((e) => e.kind === "log" && e.line.includes("HARDRESET"))).toBe(true);
  });

  it("touches nothing live: the engine state it was given a configuration for stays as it was", () => {
    const config = buildConfig({ servers: [{ name: "PSERVER1" }, { name: "PSERVER2" }] });
    const live = createEngineState(config);
    const before = JSON.stringify(live.shared);
    expect(rehearseResets(config, { rounds: 1 })).toBeGreaterThan(0);
    expect(JSON.stringify(live.shared)).toBe(before);
  });

  it("a configuration with one system has nobody to request a reset: nothing is played", () => {
    const config = buildConfig({ servers: [{ name: "PSERVER1" }] });
    const effects: Effect[] = [];
    expect(rehearseResets(config, { onEffect: (e) => effects.push(e) })).toBe(0);
    expect(effects).toEqual([]);
  });
});
