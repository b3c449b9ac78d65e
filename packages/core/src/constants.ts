// The manual's limits (digest §5.5) and the engine's defaults where the manual is silent
// (README "Decisions").

import type { EngineOptions } from "./types.js";

/** Systems (HA monitor instances) per connector pair. */
export const MAX_SYSTEMS = 256;
/** Systems per physical server. */
export const MAX_SYSTEMS_PER_PHYSICAL_SERVER = 1;
/** HA-monitored guests per virtual server. */
export const MAX_GUESTS_PER_VIRTUAL_SERVER = 16;

/** `haconnserver ipdusd` offtime / wtime range and default (seconds). */
export const PDU_TEST_MIN_SEC = 5;
export const PDU_TEST_MAX_SEC = 60;
export const PDU_TEST_DEFAULT_SEC = 5;

export const DEFAULT_ENGINE_OPTIONS: EngineOptions = Object.freeze({
  pollIntervalMs: 5000,
  guestHardResetDelayMs: 5000,
  hardResetAckTimeoutMs: 10_000,
  hardResetRetryMs: 1000,
  deviceCallTimeoutMs: 10_000,
  recentRequestTtlMs: 120_000,
  returnToNormalGuardMs: 5000,
  staleRegistrationMs: 60_000,
  testDumpWaitMs: 60_000,
  takeoverDumpGraceMs: 4000,
  logTimeZone: "local",
});
