// What this node says in its heartbeat, and the election events a peer's heartbeat makes. Pure:
// the controller passes what it knows.

import type { HaEvent, HaState } from "@haconn/ha";
import type { HeartbeatBody } from "@haconn/protocol";

export interface OwnView {
  state: HaState;
  synced: boolean;
  leaving: boolean;
  heartbeatMs: number;
  /** Version of the active's shared state (read only when needed). */
  sharedVersion: () => number;
  mirrorVersion: number;
  wireDigest: string;
  nodeName: string;
}

export function heartbeatBody(v: OwnView): HeartbeatBody {
  const { state } = v;
  return {
    role: state.role,
    flags: {
      holdsVip: state.role === "active",
      synchronised: v.synced,
      leaving: v.leaving,
      fencing: state.fencing?.inFlight === true,
    },
    intervalMs: v.heartbeatMs,
    term: state.term,
    // A leaving (handing-over) node still holds the state it served: say its version, never 0.
    stateVersion: state.role === "active" || v.leaving ? v.sharedVersion() : v.mirrorVersion,
    configDigest: v.wireDigest,
    nodeName: v.nodeName,
  };
}

/**
 * Dispatches the events a peer's heartbeat makes, in order. The hand-over first: the heartbeat
 * of a leaving node (undecided) must not read as an active that restarted with an older state,
 * which the standby would fence. `localStateVersion` is read after the hand-over is dispatched
 * (the role may have changed with it).
 */
export function dispatchHeartbeat(
  b: HeartbeatBody,
  now: number,
  localStateVersion: () => number,
  dispatch: (e: HaEvent) => void,
): void {
  if (b.flags.leaving && b.role !== "active")
    dispatch({ type: "handover", now, from: b.nodeName, term: b.term });
  dispatch({
    type: "heartbeat",
    now,
    from: b.nodeName,
    role: b.role,
    term: b.term,
    digest: b.configDigest,
    stateVersion: b.stateVersion,
    fencing: b.flags.fencing,
    localStateVersion: localStateVersion(),
  });
}
