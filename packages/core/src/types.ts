// Data of the reset engine: state, events (inputs) and effects (outputs). Pure data only: the
// daemon maps datagrams and driver results to events and carries effects out (see executor.ts).

import type { DriverErrorCode, OutletLink, PowerState, ResolvedConfig } from "@haconn/config";
import type { RecentIndex } from "./recent-index.js";
import type { RecentRequest, ResetResult, ResultDetail, TargetKey } from "./recent-request.js";

export type { RecentRequest, ResetResult, ResultDetail, TargetKey } from "./recent-request.js";

export interface Endpoint {
  addr: string;
  port: number;
}

/** `P` physical-server system, `V` guest of a virtual server (reset-log category). */
export type Category = "P" | "V";
export type LinkState = "OK" | "NG" | "--";
export type AttentionState = "DUMP" | "REBOOT" | "POFF";
/** Stored status of a registered system; `reset` is derived from a running job. */
export type StoredStatus = "normal" | "dump" | "poff" | "error";
/** Status as `haconnshow hamonitor` shows it. */
export type MonitorStatus = StoredStatus | "reset" | "----";

export function targetKey(port: number, subsystem: number): TargetKey {
  return `${port}/${subsystem}`;
}

export interface MonitorRecord {
  key: TargetKey;
  /** HA monitor's reset-path port (identifies its cluster). */
  port: number;
  subsystem: number;
  /** Managed server's system name (partition name). */
  system: string;
  /** Guest VM name, null for a physical-server system. */
  vmName: string | null;
  /** HA monitor's reset-path IP; null for a target never heard from (reset by system name). */
  addr: string | null;
  /** Monitoring-pair peer's subsystem number (cluster management on), else null. */
  pair: number | null;
  firstSeen: number;
  lastSeen: number;
  status: StoredStatus;
  statusSince: number;
  /** Guests only: last power state read through ESXi. */
  guestPower: PowerState | null;
  /**
   * The monitor's CHECK period (CHECK intervalSec) in ms; the registration is stale (its slot and
   * address may be taken) after 3 missed periods. Absent (older state, placeholder): the engine's
   * `staleRegistrationMs`.
   */
  intervalMs?: number;
}

export interface Requester extends Endpoint {
  subsystem: number;
  requestId: number;
  receivedAt: number;
}

/** Fields of the reset log that come from the request (all `----` for test commands). */
export interface LogContext {
  system: string;
  target: string;
  ip: string;
  port: string;
  req: string;
  category: Category | "----";
}

export type JobPhase = "soft" | "hard" | "pduCut";

export interface HardResetState {
  attempt: number;
  inFlight: boolean;
  firstAt: number;
  /** No acknowledgement by then: PDU cut (ipdusd on) or FAIL. */
  ackDeadline: number;
  /** After a failed attempt, when to try again (null while one is in flight). */
  nextRetryAt: number | null;
}

export interface CutState {
  pending: OutletLink[];
  done: OutletLink[];
  failed: OutletLink[];
}

export interface Job {
  id: number;
  key: TargetKey;
  system: string;
  subsystem: number;
  port: number;
  vmName: string | null;
  category: Category;
  /** Everyone waiting for the result; the first one is the log's requester. */
  requesters: Requester[];
  /** `haconnserver reset` test: no requester, no escalation while `test` stays true. */
  test: { commandId: string } | null;
  phase: JobPhase;
  startedAt: number;
  nmiAt: number;
  nmiState: "pending" | "ok" | "failed";
  /** Soft phase: the hardware reset is issued at this time if no DUMP notice came. */
  hardAt: number;
  hard: HardResetState | null;
  cut: CutState | null;
  log: LogContext;
}

export interface ServerRuntime {
  name: string;
  power: "pon" | "poff" | "--";
  bmc: LinkState;
  esxi: LinkState;
}

export interface OutletRuntime {
  pdu: string;
  outlet: number;
  state: PowerState | null;
}

/** Outlets to power on again after a PDU cut with recoverytime > 0. */
export interface PendingRestore {
  id: number;
  system: string;
  outlets: OutletLink[];
  at: number;
  started: boolean;
  log: LogContext;
}

/** The replicated part of the state: a snapshot of it plus ordered deltas reproduce it. */
export interface SharedState {
  version: number;
  nextJobId: number;
  nextEventId: number;
  monitors: Readonly<Record<TargetKey, MonitorRecord>>;
  jobs: Readonly<Record<TargetKey, Job>>;
  servers: Readonly<Record<string, ServerRuntime>>;
  pdus: Readonly<Record<string, LinkState>>;
  outlets: Readonly<Record<string, OutletRuntime>>;
  restores: Readonly<Record<string, PendingRestore>>;
  /**
   * Requests answered or accepted within `recentRequestTtlMs`, one per key, in `at` order
   * (oldest first): a persistent map by request key plus an expiry queue, O(1) per request
   * (recent-index.ts). On the wire, the list of entries oldest first.
   */
  recent: RecentIndex;
}

export type PduTestMode = "same" | "serial";

export interface PduTest {
  id: string;
  system: string;
  /** `acrecovery` is run as a restore-only test of all outlets. */
  mode: PduTestMode | "acrecovery";
  offMs: number;
  waitMs: number;
  outlets: OutletLink[];
  /** Serial: index of the outlet being worked on. Same: 0. */
  index: number;
  step: "cutting" | "off" | "restoring" | "waiting";
  pending: number;
  failures: number;
}

/** Node-local state (not replicated): polls in flight, operator tests. */
export interface LocalState {
  /** Device ids (`bmc:NAME`, `guest:NAME/VM`, `outlet:PDU#N`) with a status poll in flight. */
  pollsInFlight: readonly string[];
  /**
   * The current poll round's units in order (power-watch.ts), computed once at its start: each
   * slice takes its share from here instead of walking the configuration and the registry again.
   */
  pollRound: readonly PollUnit[];
  polling: boolean;
  tests: Readonly<Record<string, PduTest>>;
  /**
   * After a start with a possibly stale state (takeover by fencing, restart), until this time no
   * new RESET is decided: a command the previous active issued may still land (takeover.ts).
   * 0 when the state is known current.
   */
  staleUntil: number;
}

export interface EngineOptions {
  /** Power/link poll period of BMCs, guests and PDU outlets. */
  pollIntervalMs: number;
  /**
   * Delay of the first poll round after `start` (0: at once). A new active then answers the
   * first CHECKs and RESETs before its first round opens the BMC sessions (process starts).
   */
  firstPollDelayMs?: number;
  /** Guests: time from the NMI to the hardware reset (hispeed does not apply to guests). */
  guestHardResetDelayMs: number;
  /** Acknowledgement window of the hardware reset when the server has no `timeout` (ipdusd off, guests). */
  hardResetAckTimeoutMs: number;
  /** Pause before re-issuing a hardware reset that failed. */
  hardResetRetryMs: number;
  /** Deadline given to each driver call. */
  deviceCallTimeoutMs: number;
  /** How long an answered request is remembered for retransmissions. */
  recentRequestTtlMs: number;
  /** A CHECK returns a dump/poff/error system to normal only this long after the status changed. */
  returnToNormalGuardMs: number;
  /** A registration unseen for this long may be replaced when a limit is reached. */
  staleRegistrationMs: number;
  /** `haconnserver reset`: how long to wait for the DUMP notice. */
  testDumpWaitMs: number;
  /**
   * Start with a possibly stale state: a resumed job issues no hardware reset before this long
   * after the start, so that a DUMP notice the previous active received but did not replicate
   * reaches this node (notifier rule 2, docs/protocol.md §6: ours repeats every 500 ms and
   * fence_kdump_send every `-i` = 1 s until acknowledged `accepted` or the dump ends; the default
   * 4 s covers four repeats of the slower one, takeover.ts).
   */
  takeoverDumpGraceMs: number;
  logTimeZone: "local" | "utc";
}

export interface EngineState {
  config: ResolvedConfig;
  options: EngineOptions;
  shared: SharedState;
  local: LocalState;
}

// ---------------------------------------------------------------- events

export type DeviceRef =
  | { type: "bmc"; system: string }
  | { type: "guest"; system: string; vmName: string }
  | { type: "outlet"; pdu: string; outlet: number };

export type DeviceOp = "status" | "nmi" | "reset" | "on" | "off";

/** One device of a poll round; a guest carries its registration key. */
export interface PollTarget {
  /** `bmc:NAME`, `guest:NAME/VM` or `outlet:PDU#N` (as in `pollsInFlight`). */
  id: string;
  /** The device polled. */
  device: DeviceRef;
  /** A guest's registration key: not polled while it has a job, nor once it is gone. */
  jobKey?: TargetKey;
}

/** A BMC, an outlet, or the registered guests of one ESXi host (asked in one command). */
export type PollUnit = readonly PollTarget[];

export type OpTag =
  | { for: "job"; key: TargetKey; jobId: number; step: "nmi" | "hard" | "cut"; log: LogContext }
  | { for: "restore"; id: number; log: LogContext }
  | {
      for: "poll";
      id: string;
      /** A guest's registration key (its record without a walk of the registry). */
      key?: TargetKey;
    }
  | { for: "test"; id: string; log: LogContext };

export type CheckRefusal =
  | "UNKNOWN_SYSTEM"
  | "VMWARE_DISABLED"
  | "SYSTEM_LIMIT"
  | "SERVER_LIMIT"
  | "GUEST_LIMIT"
  | "CONFLICT"
  | "VM_NAME_REQUIRED"
  /** The slot is held by a live registration from another address (unsigned CHECK). */
  | "SLOT_HELD";

export type ResettabilityReason = "BMC_NG" | "IPDU_NG" | "ESXI_NG";

export type EngineCommand =
  | { type: "softResetTest"; system: string; subsystem: number }
  | {
      type: "pduTest";
      system: string;
      mode: PduTestMode;
      addr?: string;
      offtimeSec?: number;
      wtimeSec?: number;
    }
  | { type: "acrecovery"; system: string };

export type EngineEvent =
  /**
   * Start (or take over): resume jobs from their phase and begin polling. `stale`: the state may
   * miss what a previous active did (takeover by fencing, a restart, a peer that restarted): see
   * takeover.ts. Omitted or false only when the state is known current (clean hand-over).
   */
  | { type: "start"; now: number; stale?: boolean }
  | {
      type: "check";
      now: number;
      from: Endpoint;
      system: string;
      subsystem: number;
      /** The monitor's reset-path port (its cluster). */
      port: number;
      vmName: string | null;
      pairSubsystem: number | null;
      /** CHECK requestId, echoed in the reply (absent: 0). */
      requestId?: number;
      /** CHECK intervalSec (absent: the registration goes stale after `staleRegistrationMs`). */
      intervalSec?: number;
      /** The CHECK carried a verified trailer (key mode): it may move a live registration. */
      authenticated?: boolean;
    }
  | {
      type: "reset";
      now: number;
      from: Endpoint;
      requestId: number;
      system: string;
      target: number;
      requester: number;
      /**
       * RESET clusterPort: the requester's cluster (its replyPort); with `requester` it names the
       * requester's registration and with `target` the target's. Absent: found by address.
       */
      clusterPort?: number;
      /**
       * RESET header flag FENCE (docs/protocol.md §4.3): a target whose status is dump or poff is
       * reset all the same (row 7, the "already reset / known off" answer, is skipped). Absent or
       * false: a plain RESET.
       */
      fence?: boolean;
    }
  /** System-stop notice from the dump tool; `subsystem` null for fence_kdump (match by address). */
  | { type: "dumpNotice"; now: number; from: Endpoint; subsystem: number | null }
  | { type: "timer"; now: number; id: string }
  | ({ type: "deviceResult"; now: number; device: DeviceRef; op: DeviceOp; tag: OpTag } & (
      | { ok: true; power?: PowerState }
      | { ok: false; code: DriverErrorCode | "UNKNOWN"; message: string }
    ))
  | { type: "command"; now: number; id: string; command: EngineCommand }
  | { type: "configChanged"; now: number; config: ResolvedConfig };

// ---------------------------------------------------------------- effects

export type Effect =
  | { kind: "stateChanged"; deltas: VersionedDelta[] }
  | { kind: "device"; op: DeviceOp; device: DeviceRef; tag: OpTag; timeoutMs: number }
  | { kind: "setTimer"; id: string; at: number }
  | { kind: "clearTimer"; id: string }
  | {
      kind: "sendCheckReply";
      to: Endpoint;
      system: string;
      subsystem: number;
      /** CHECK requestId to echo. */
      requestId: number;
      accepted: boolean;
      refusal: CheckRefusal | null;
      resettable: boolean;
      reasons: ResettabilityReason[];
    }
  | { kind: "sendAccepted"; to: Endpoint; requestId: number; system: string; target: number }
  | {
      kind: "sendResult";
      to: Endpoint;
      requestId: number;
      system: string;
      target: number;
      result: ResetResult;
      detail: ResultDetail;
      /** True when answering a retransmission of a request already answered. */
      resend: boolean;
      /**
       * Sent once, no repeats (ERROR). To an unknown requester nothing is remembered either; to a
       * registered one the answer is remembered like any other (`recent`). The daemon
       * rate-limits such answers per source.
       */
      stateless?: boolean;
      /** The requester is not registered (or not from its registered address). */
      unknownRequester?: boolean;
      /** The requester's subsystem (the RESULT-ACK must carry it). */
      requester?: number;
    }
  | {
      kind: "sendAttention";
      eventId: number;
      system: string;
      target: number;
      vmName: string | null;
      category: Category;
      state: AttentionState;
      /** HA-monitor port of the target's cluster (for a broadcast). */
      clusterPort: number;
      /** Registered monitors of that cluster, the target excluded (with their subsystem). */
      recipients: (Endpoint & { subsystem?: number })[];
    }
  | { kind: "log"; line: string; record: ResetLogRecord; limit?: LogLimit }
  | { kind: "notice"; level: "info" | "warn" | "error"; message: string; limit?: LogLimit }
  | { kind: "commandResult"; id: string; ok: boolean; code: string | null; message: string };

// ---------------------------------------------------------------- reset log

/**
 * A log line (reset log or notice) that may be limited: the lines of a RESET that is refused or
 * answered from the current state (no reset carried out). The runner writes at most one such
 * group of lines per reason per source a minute and counts the rest (executor.ts). The lines of a
 * reset carried out, and its result, carry no limit.
 */
export interface LogLimit {
  /** Source address of the request. */
  source: string;
  /** The answer and its detail, e.g. `ERROR/unknownTarget`. */
  reason: string;
}

export type ResetLogRecord =
  | { type: "RM-RESET"; at: number; dir: "RECV" | "SEND"; ctx: LogContext; response: ResetResult | "----" }
  | { type: "SOFTRESET" | "HARDRESET"; at: number; dir: "RECV" | "SEND"; ctx: LogContext }
  | { type: "ATTENTION"; at: number; dir: "RECV" | "SEND"; ctx: LogContext; state: AttentionState }
  | {
      type: "IPDUSD";
      at: number;
      dir: "RECV" | "SEND";
      ctx: LogContext;
      pduAddr: string;
      outlet: number;
      action: "OFF" | "ON";
    };

// ---------------------------------------------------------------- deltas

export type Delta =
  | { op: "monitor"; record: MonitorRecord }
  | { op: "monitorRemoved"; key: TargetKey }
  | { op: "job"; job: Job }
  | { op: "jobRemoved"; key: TargetKey }
  | { op: "server"; server: ServerRuntime }
  | { op: "pdu"; pdu: string; link: LinkState }
  | { op: "outlet"; outlet: OutletRuntime }
  | { op: "restore"; restore: PendingRestore }
  | { op: "restoreRemoved"; id: number }
  | { op: "recent"; entry: RecentRequest }
  | { op: "recentRemoved"; key: string }
  | { op: "seq"; name: "job" | "event"; value: number };

export type VersionedDelta = Delta & { version: number };
