import { afterEach, describe, expect, it } from "vitest";
import { buildConfig, EngineHarness } from "./test/index.js";

const harnesses: EngineHarness[] = [];
afterEach(() => {
  for (const h of harnesses.splice(0)) h.stop();
});

describe("power polls in flight", () => {
  it("a round starts one poll per device, none for a device whose poll is still in flight", async () => {
    const h = new EngineHarness(buildConfig({ servers: [{ name: "PSERVER1" }, { name: "PSERVER2" }] }), {
      controller: (key) => (key === "bmc:PSERVER2" ? { latencyMs: { status: 12_000 } } : {}),
    });
    harnesses.push(h);
    h.dispatch({ type: "start" });
    await h.clock.advance(1);
    expect(h.state.local.pollsInFlight).toEqual(["bmc:PSERVER2"]);
    await h.clock.advance(10_000); // two more rounds: PSERVER2's first poll has not answered
    expect(h.controller("bmc:PSERVER1").count("status")).toBe(3);
    expect(h.controller("bmc:PSERVER2").count("status")).toBe(1);
    await h.clock.advance(5_000);
    expect(h.controller("bmc:PSERVER2").count("status")).toBe(2);
  });
});
