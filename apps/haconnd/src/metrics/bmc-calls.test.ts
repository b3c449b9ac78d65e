import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { registerBmcCallMetrics } from "./bmc-calls.js";

describe("BMC call metrics", () => {
  it("reads the drivers' counters at scrape time", async () => {
    const registry = new Registry();
    const stats = { sessionCalls: 7, processCalls: 1, processFallbacks: 1, shellsStarted: 2, reopens: 1 };
    registerBmcCallMetrics(registry, () => stats);
    let text = await registry.metrics();
    expect(text).toMatch(/^haconn_bmc_session_calls_total 7$/m);
    expect(text).toMatch(/^haconn_bmc_process_fallbacks_total 1$/m);
    stats.sessionCalls = 9;
    text = await registry.metrics();
    expect(text).toMatch(/^haconn_bmc_session_calls_total 9$/m);
    expect(text).toMatch(/^haconn_bmc_sessions_started_total 2$/m);
    expect(text).toMatch(/^haconn_bmc_session_reopens_total 1$/m);
    expect(text).toMatch(/^haconn_bmc_process_calls_total 1$/m);
  });
});
