export type * from "./types.js";
export { targetKey } from "./types.js";
export type { Clock, TimerHandle } from "./clock.js";
export { systemClock } from "./clock.js";
export {
  DEFAULT_ENGINE_OPTIONS,
  MAX_GUESTS_PER_VIRTUAL_SERVER,
  MAX_SYSTEMS,
  MAX_SYSTEMS_PER_PHYSICAL_SERVER,
  PDU_TEST_DEFAULT_SEC,
  PDU_TEST_MAX_SEC,
  PDU_TEST_MIN_SEC,
} from "./constants.js";
export { createEngineState, transition } from "./engine.js";
export { type RehearsalOptions, rehearseResets } from "./rehearsal.js";
export { classifyDumpNotice, type DumpNoticeOutcome } from "./dump-notice.js";
export {
  EngineRunner,
  type EngineInput,
  type ExecutorPorts,
  type LimitedLogStats,
  type SendEffect,
} from "./executor.js";
export { applyDelta, emptySharedState, outletKey, replay, ReplayError } from "./deltas.js";
export { RecentIndex, recentFromJson } from "./recent-index.js";
export { isStale } from "./registry.js";
export { WindowLimit, type WindowLimitOptions } from "./window-limit.js";
export { formatLogTime, formatResetLog, NA, testLogContext } from "./reset-log.js";
export {
  esxiLink,
  ipduLink,
  isVirtual,
  monitorStatus,
  resettabilityReasons,
  serverRuntime,
} from "./status.js";
export {
  hamonitorView,
  ipduView,
  serverStatusView,
  type HamonitorView,
  type MonitorRow,
  type PduView,
  type ServerStatusRow,
} from "./views.js";
