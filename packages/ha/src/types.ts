// Types of the management-server pair logic. Pure data: the daemon maps duplex datagrams to
// events and carries out effects (VIP, fencing through the BMC/PDU drivers, role changes).

export type Role = "undecided" | "standby" | "active";

/** Status of a management server as `haconnshow status` shows it. */
export type ServerStatus = "normal" | "poff" | "reset" | "error" | "--";

export interface HaTiming {
  /** Heartbeat period on the duplex LAN. */
  heartbeatMs: number;
  /** Heartbeats missed before the peer is declared failed. */
  missCount: number;
  /** How long a node that starts alone listens before it may claim the active role. */
  startWaitMs: number;
  /** Pause between fencing attempts that failed. */
  fenceRetryMs: number;
  /**
   * A started node ignores heartbeats for this long, and receivers drop duplex datagrams whose
   * sender timestamp is older: nothing a previous incarnation sent is acted on once the new
   * one acts (the model in packages/ha/model shows why this matters).
   */
  freshnessMs: number;
}

export const DEFAULT_TIMING: HaTiming = {
  heartbeatMs: 200,
  missCount: 3,
  startWaitMs: 2000,
  fenceRetryMs: 5000,
  freshnessMs: 500,
};

export interface PeerView {
  role: Role;
  term: number;
  digest: string;
  stateVersion: number;
  /** The peer announced a fence of this node in progress (heartbeat flag `fencing`). */
  fencing: boolean;
  heardAt: number;
}

export interface FencingState {
  since: number;
  attempt: number;
  inFlight: boolean;
  /** When the next attempt is due (only while no attempt is in flight). */
  nextAt: number | null;
  /** The peer's term when it was lost: a heartbeat from that same incarnation cancels fencing. */
  lostTerm: number;
  lastError: string | null;
}

export interface HaState {
  self: string;
  peerName: string;
  /** The configuration's first management server: wins ties. */
  preferred: boolean;
  role: Role;
  /** Increases at every change of active node; carried by heartbeats. Higher term wins. */
  term: number;
  startedAt: number;
  peer: PeerView | null;
  fencing: FencingState | null;
  /** Displayed status of the peer's management server when it is known from fencing. */
  peerStatus: ServerStatus;
  vipProbe: "idle" | "pending";
  nextProbeAt: number;
  stopping: boolean;
  /**
   * Evidence that the peer's daemon is gone, kept by a standby (docs/pair.md "Detection"):
   * when the duplex stream to the peer closed (not by this node; kept until a new stream is
   * up), and when a new connection to the peer's duplex port was refused (ECONNREFUSED; counts
   * only while later than the last authenticated heartbeat). Together they shorten the
   * heartbeat budget by one heartbeat.
   */
  evidence: PeerEvidence;
}

export interface PeerEvidence {
  streamLostAt: number | null;
  refusedAt: number | null;
}

export type HaEvent =
  | { type: "tick"; now: number }
  | {
      type: "heartbeat";
      now: number;
      from: string;
      role: Role;
      term: number;
      digest: string;
      stateVersion: number;
      /** The sender is fencing its peer (this node): heartbeat flag `fencing`. */
      fencing?: boolean;
      /**
       * Version of the replicated state this node holds (its mirror) when the heartbeat arrives.
       * A node never takes the active role from a standby whose state is ahead of its own.
       */
      localStateVersion?: number;
    }
  /**
   * The state-sync connection to the peer closed or reset, taken as the peer's loss at once (the
   * lab's simulator). haconnd does not send it: anyone able to reset a TCP connection could.
   */
  | { type: "peerLost"; now: number }
  /**
   * The duplex stream to the peer closed, not deliberately by this node: no stream until
   * `peerStreamOpened`. Alone it changes nothing; with a `peerConnectRefused` after the last
   * heartbeat, a standby's budget is one heartbeat shorter.
   */
  | { type: "peerStreamLost"; now: number }
  /** A new authenticated stream to the peer is up: the stream is no longer lost. */
  | { type: "peerStreamOpened"; now: number }
  /** A new connection to the peer's duplex port was refused (ECONNREFUSED: nobody listens). */
  | { type: "peerConnectRefused"; now: number }
  | { type: "vipProbed"; now: number; inUse: boolean }
  | { type: "fenced"; now: number; ok: boolean; method?: "bmc" | "ipdu"; error?: string }
  /** The active released the VIP and asks this node to take over (clean hand-over). */
  | { type: "handover"; now: number; from: string; term: number }
  /** Operator asked this (active) node to hand over and restart: `haconnact restart`. */
  | { type: "requestHandover"; now: number }
  | { type: "shutdown"; now: number };

export type HaEffect =
  | { kind: "probeVip" }
  | { kind: "fencePeer"; attempt: number }
  | {
      kind: "becomeActive";
      term: number;
      reason: "alone" | "preferred" | "peerStandby" | "fenced" | "handover";
    }
  | { kind: "becomeStandby"; term: number }
  | { kind: "stepDown"; reason: string }
  | { kind: "sendHandover"; term: number }
  | { kind: "log"; level: "info" | "warn" | "error"; message: string; fields?: Record<string, unknown> };
