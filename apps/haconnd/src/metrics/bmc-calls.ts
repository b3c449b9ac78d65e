// How the BMC drivers carried their calls, read at every scrape (no timer): through the open
// ipmitool sessions, or by one-shot processes. `haconn_bmc_process_fallbacks_total` counts the
// power actions (NMI, hardware reset, on/off) that had to start a process although the driver
// keeps a session: the reset path's exception, expected 0 while the BMCs answer (issue 19).
import type { BmcCallStats } from "@haconn/bmc";
import type { Registry } from "prom-client";
import { registerStatCounters } from "./stat-counters.js";

const FIELDS: Record<keyof BmcCallStats, [name: string, help: string]> = {
  sessionCalls: ["bmc_session_calls_total", "BMC calls carried by an open ipmitool session"],
  processCalls: ["bmc_process_calls_total", "One-shot ipmitool processes started for BMC calls"],
  processFallbacks: [
    "bmc_process_fallbacks_total",
    "Power actions that started a one-shot ipmitool because the BMC's session was not usable",
  ],
  shellsStarted: ["bmc_sessions_started_total", "ipmitool shell sessions started"],
  reopens: ["bmc_session_reopens_total", "Lost ipmitool sessions re-opened in the background"],
};

/** Registers the counters; `read` gives the drivers' totals (summed over every BMC). */
export function registerBmcCallMetrics(
  registry: Registry,
  read: () => BmcCallStats,
  prefix = "haconn_",
): void {
  registerStatCounters(registry, FIELDS, read, prefix);
}
