import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { registerVipTakeoverMetrics } from "./vip-takeover.js";

describe("VIP takeover metrics", () => {
  it("reads the VIP manager's counters at scrape time", async () => {
    const registry = new Registry();
    const stats = { armedRuns: 2, processStarts: 0 };
    registerVipTakeoverMetrics(registry, () => stats);
    let text = await registry.metrics();
    expect(text).toMatch(/^haconn_vip_takeover_armed_runs_total 2$/m);
    expect(text).toMatch(/^haconn_vip_takeover_process_starts_total 0$/m);
    stats.processStarts = 2;
    text = await registry.metrics();
    expect(text).toMatch(/^haconn_vip_takeover_process_starts_total 2$/m);
  });
});
