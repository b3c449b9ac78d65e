// How the takeover's VIP commands ran, read at every scrape: through the helpers a standby arms
// ahead (no process start on the takeover path), or by starting a process then
// (`haconn_vip_takeover_process_starts_total`: expected 0 on a pair that was standby first).
import type { Registry } from "prom-client";
import { registerStatCounters } from "./stat-counters.js";
import type { VipTakeoverStats } from "../net/vip.js";

const FIELDS: Record<keyof VipTakeoverStats, [name: string, help: string]> = {
  armedRuns: [
    "vip_takeover_armed_runs_total",
    "Takeover VIP commands (add, gratuitous ARP) run by an armed helper",
  ],
  processStarts: [
    "vip_takeover_process_starts_total",
    "Takeover VIP commands that started a process on the takeover path (no helper armed, or it failed)",
  ],
};

/** Registers the counters; `read` gives the VIP manager's totals. */
export function registerVipTakeoverMetrics(
  registry: Registry,
  read: () => VipTakeoverStats,
  prefix = "haconn_",
): void {
  registerStatCounters(registry, FIELDS, read, prefix);
}
