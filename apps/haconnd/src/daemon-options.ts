// How haconnd is run: its directories, node name and optional services (bin/haconnd.ts reads
// them from the HACONN_* environment).

import type { Clock } from "@haconn/core";
import type { MetricsListen } from "./metrics/metrics-server.js";

export interface DaemonOptions {
  etcDir: string;
  logDir: string;
  runDir: string;
  /**
   * Persistent state (the pair's election term): survives restarts and reboots, unlike runDir
   * (systemd's RuntimeDirectory= empties /run/haconn2 at every stop).
   */
  stateDir: string;
  /** This management server's name (its hostname unless overridden). */
  nodeName: string;
  /**
   * fence_kdump port override for in-process callers (benchmarks): null = off. Undefined: the
   * configuration decides (`haconnsetup kdump`, off unless configured).
   */
  kdumpPort?: number | null;
  /** Send ATTENTION copies by broadcast on the reset-path subnet too. */
  broadcast: boolean;
  /**
   * "ip": add/remove the VIP with ip(8) and announce it; "none": the address is already local
   * (the lab on loopback); "auto": none for a loopback reset path, else ip.
   */
  vipMode: "ip" | "none" | "auto";
  clock?: Clock;
  /**
   * Nice levels below the main thread for the ESXi worker thread (HACONN_HELPER_NICE, as the
   * helper threads); null or absent: it keeps the main thread's priority.
   */
  esxiWorkerNice?: number | null;
  /** Journal/syslog lines (start, stop, abnormal). */
  system?: (line: string) => void;
  /** Serve Prometheus metrics here (null: off). */
  metrics?: (MetricsListen & { allowAnyAddress?: boolean }) | null;
  /** Called after the daemon stopped by itself (haconnact shutdown): the process should exit. */
  onExit?: (reason: string, code: number) => void;
}
