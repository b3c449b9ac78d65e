// The pair's election and takeover, as a pure transition (ARCHITECTURE example 3).
//
// Rules (docs/pair.md tells the story):
// - Start: a node is `undecided` and listens. Peer active -> standby. Peer standby -> active
//   (the peer waits for one). Both undecided -> the configuration's first management server
//   (the preferred one) is active. Nobody heard for startWaitMs -> probe the VIP
//   (duplicate-address ARP). If it is free, the preferred node claims active; the other fences
//   the preferred node first (two lone starters behind a cut duplex link could otherwise both
//   see a free VIP). If somebody holds it while the peer is silent, the peer's daemon died (its
//   VIP stays on its host) or the duplex link is down: fence the peer, then take over.
// - Standby: the peer silent for missCount heartbeats -> fence it. One heartbeat less when, after
//   the last heartbeat, the duplex stream closed AND a reconnect was refused (ECONNREFUSED: the
//   peer's kernel says nobody listens, its daemon is gone). Neither alone shortens anything: an
//   attacker on the wire can reset a stream and refuse a connect, but cannot make a heartbeat go
//   missing without dropping it (docs/security.md). A closed stream is never the peer's death.
//   Fencing = hardware reset through its BMC; PDU cut when configured and the BMC does not acknowledge.
//   Only a successful fence, or a clean hand-over from the active, makes a standby active. A
//   failed fence leaves it standby with the peer shown `error`, and is retried.
// - Fresher state wins (docs/reliability.md F2): a node never takes the active role from a peer
//   that announces a fence in progress (heartbeat flag `fencing`: it is resetting this node),
//   nor from a standby whose replicated state is ahead of its own (it would serve with a state
//   that misses running resets): it stays undecided. Such a peer is the active's daemon restarted
//   before its standby noticed the crash, so the standby fences it and takes over, exactly as
//   if it had seen the crash: a standby still becomes active only by fencing or a hand-over.
// - Active: never fences the standby. Another active with a higher term (or the same term and
//   the preferred name) wins; this one steps down at once.

import type { HaEffect, HaEvent, HaState, HaTiming, PeerEvidence, PeerView } from "./types.js";

export interface HaInit {
  self: string;
  peerName: string;
  preferred: boolean;
  now: number;
  /** The term persisted by a previous run, so a restarted node never reuses an old term. */
  term?: number;
}

/** A node's election state at the start of its daemon: undecided, knowing nothing of its peer. */
export function initialState(init: HaInit): HaState {
  return {
    self: init.self,
    peerName: init.peerName,
    preferred: init.preferred,
    role: "undecided",
    term: init.term ?? 0,
    startedAt: init.now,
    peer: null,
    fencing: null,
    peerStatus: "--",
    vipProbe: "idle",
    nextProbeAt: init.now + 0,
    stopping: false,
    evidence: NO_EVIDENCE,
  };
}

const NO_EVIDENCE: PeerEvidence = { streamLostAt: null, refusedAt: null };

type Result = [HaState, HaEffect[]];

const log = (
  level: "info" | "warn" | "error",
  message: string,
  fields?: Record<string, unknown>,
): HaEffect => (fields ? { kind: "log", level, message, fields } : { kind: "log", level, message });

/**
 * True when a standby holds both halves of the evidence that its peer's daemon is gone: its
 * stream closed (and no new one is up) and, later than the peer's last authenticated heartbeat,
 * a reconnect was refused. Only then, and only with missCount > 1, is the budget one heartbeat
 * shorter. The close may come before the last heartbeat is handled (the kill's FIN and the
 * heartbeat sent just before it arrive together, in either order): the refusal is what must
 * follow the heartbeat.
 */
export function lossCorroborated(state: HaState, timing: HaTiming): boolean {
  const { streamLostAt, refusedAt } = state.evidence;
  return (
    state.role === "standby" &&
    timing.missCount > 1 &&
    state.peer !== null &&
    streamLostAt !== null &&
    refusedAt !== null &&
    refusedAt > state.peer.heardAt
  );
}

/** Silence after the last heartbeat that the peer is allowed: missCount heartbeats, or one less (above). */
export function peerBudget(state: HaState, timing: HaTiming): number {
  return timing.heartbeatMs * (lossCorroborated(state, timing) ? timing.missCount - 1 : timing.missCount);
}

/** True while heartbeats from the peer are fresh. */
export function peerAlive(state: HaState, now: number, timing: HaTiming): boolean {
  return state.peer !== null && now - state.peer.heardAt <= peerBudget(state, timing);
}

/**
 * The instant a standby's silent peer counts as lost (the first instant `peerAlive` is false,
 * to the millisecond), while one is pending: a standby, not fencing yet, that has heard its peer.
 * The daemon ticks at this instant instead of at its next regular tick, so detection takes the
 * heartbeat budget and not the budget plus up to one tick period (issue 19).
 */
export function peerDeadline(state: HaState, timing: HaTiming): number | undefined {
  if (state.role !== "standby" || state.fencing !== null || state.peer === null || state.stopping)
    return undefined;
  return state.peer.heardAt + peerBudget(state, timing) + 1;
}

/** Delay until the next tick: the regular period, or less when a peer deadline falls before it. */
export function nextTickDelay(state: HaState, now: number, timing: HaTiming, periodMs: number): number {
  const deadline = peerDeadline(state, timing);
  if (deadline === undefined || deadline <= now) return periodMs;
  return Math.min(periodMs, Math.ceil(deadline - now));
}

function activate(state: HaState, reason: Extract<HaEffect, { kind: "becomeActive" }>["reason"]): Result {
  const term = Math.max(state.term, state.peer?.term ?? 0) + 1;
  return [
    { ...state, role: "active", term, fencing: null, vipProbe: "idle", evidence: NO_EVIDENCE },
    [{ kind: "becomeActive", term, reason }, log("info", `becoming active (${reason})`, { term })],
  ];
}

function startFencing(state: HaState, now: number, why: string, fields?: Record<string, unknown>): Result {
  if (state.fencing) return [state, []];
  const fencing = {
    since: now,
    attempt: 1,
    inFlight: true,
    nextAt: null,
    lostTerm: state.peer?.term ?? 0,
    lastError: null,
  };
  return [
    { ...state, fencing },
    [
      log("warn", `peer ${state.peerName} lost (${why}); fencing it before taking over`, fields),
      { kind: "fencePeer", attempt: 1 },
    ],
  ];
}

function onTick(state: HaState, now: number, timing: HaTiming): Result {
  if (state.stopping) return [state, []];
  if (state.role === "undecided" && state.fencing) return retryFence(state, now);
  if (state.role === "undecided") {
    const silentSinceStart = state.peer === null || !peerAlive(state, now, timing);
    if (
      silentSinceStart &&
      now - state.startedAt >= timing.startWaitMs &&
      state.vipProbe === "idle" &&
      now >= state.nextProbeAt
    ) {
      return [{ ...state, vipProbe: "pending" }, [{ kind: "probeVip" }]];
    }
    return [state, []];
  }
  if (state.role === "standby") {
    if (state.fencing) return retryFence(state, now);
    if (!peerAlive(state, now, timing)) return fenceSilentPeer(state, now, timing);
  }
  return [state, []];
}

/** A standby's silent peer is lost: the log line says which budget ran out and how long it was silent. */
function fenceSilentPeer(state: HaState, now: number, timing: HaTiming): Result {
  const why = lossCorroborated(state, timing)
    ? "heartbeat timeout, stream closed and reconnect refused"
    : "heartbeat timeout";
  const silentMs = state.peer ? now - state.peer.heardAt : null;
  return startFencing(state, now, why, { silentMs, budgetMs: peerBudget(state, timing) });
}

/**
 * Half of the evidence (stream closed, or reconnect refused). Kept by a standby only; when it
 * completes the evidence and the shortened budget has already run out, the fence starts now.
 */
function onEvidence(state: HaState, now: number, half: keyof PeerEvidence, timing: HaTiming): Result {
  if (state.role !== "standby" || state.stopping) return [state, []];
  const next: HaState = { ...state, evidence: { ...state.evidence, [half]: now } };
  if (next.fencing || next.peer === null || peerAlive(next, now, timing)) return [next, []];
  return fenceSilentPeer(next, now, timing);
}

function retryFence(state: HaState, now: number): Result {
  const f = state.fencing;
  if (!f || f.inFlight || f.nextAt === null || now < f.nextAt) return [state, []];
  const attempt = f.attempt + 1;
  return [
    { ...state, fencing: { ...f, attempt, inFlight: true, nextAt: null } },
    [{ kind: "fencePeer", attempt }],
  ];
}

function onHeartbeat(state: HaState, e: Extract<HaEvent, { type: "heartbeat" }>, timing: HaTiming): Result {
  if (e.from !== state.peerName) {
    return [state, [log("warn", `heartbeat from unknown node ${e.from} ignored`)]];
  }
  const peer: PeerView = {
    role: e.role,
    term: e.term,
    digest: e.digest,
    stateVersion: e.stateVersion,
    fencing: e.fencing === true,
    heardAt: e.now,
  };
  const mine = e.localStateVersion;
  // An authenticated heartbeat: the peer was alive after any refusal before it. The stream stays
  // lost until a new one is up (peerStreamOpened).
  const next: HaState = { ...state, peer, evidence: { ...state.evidence, refusedAt: null } };
  if (state.stopping) return [next, []];
  if (e.now - state.startedAt < timing.freshnessMs) return [state, []];
  switch (state.role) {
    case "undecided":
      // A fence decided while the peer was silent goes on once issued; one not yet issued is dropped.
      if (state.fencing?.inFlight) return [next, []];
      if (state.fencing) next.fencing = null;
      if (e.role === "active") {
        const term = Math.max(state.term, e.term);
        return [{ ...next, role: "standby", term, vipProbe: "idle" }, [{ kind: "becomeStandby", term }]];
      }
      // The peer is fencing this node: it takes over once the fence lands.
      if (e.fencing) return [next, []];
      if (e.role === "standby") {
        // Its state is ahead of ours: it fences this node (it starts as soon as it hears us, and
        // says so in its heartbeats) and takes over. A standby that is not fencing us after the
        // start wait cannot (dead iLO, no PDU): an older state beats no active at all, so this
        // node claims as before (its engine starts `stale`).
        const waited = e.now - state.startedAt;
        if (mine !== undefined && e.stateVersion > mine && waited < timing.startWaitMs) return [next, []];
        return activate(next, "peerStandby");
      }
      return state.preferred ? activate(next, "preferred") : [next, []];
    case "standby": {
      const f = state.fencing;
      if (f && !f.inFlight && e.role === "active" && e.term === f.lostTerm) {
        // The same active came back (a network glitch): no fence needed any more.
        return [
          { ...next, fencing: null, peerStatus: "normal" },
          [log("info", `peer ${state.peerName} is back; fencing cancelled`)],
        ];
      }
      if (!f && e.role === "undecided" && !e.fencing && mine !== undefined && e.stateVersion < mine) {
        // The active's daemon restarted (with an older state) before its loss was noticed.
        return startFencing(next, e.now, `restarted with an older state (v${e.stateVersion}, ours v${mine})`);
      }
      if (!f && e.role === "standby" && state.preferred) return activate(next, "preferred");
      if (!f && e.role === "active" && e.term > state.term) return [{ ...next, term: e.term }, []];
      return [next, []];
    }
    case "active":
      if (e.role === "active" && (e.term > state.term || (e.term === state.term && !state.preferred))) {
        return [
          { ...next, role: "undecided", startedAt: e.now, vipProbe: "idle" },
          [
            log("error", `another active node ${e.from} (term ${e.term}, ours ${state.term}); stepping down`),
            { kind: "stepDown", reason: "peer active with precedence" },
          ],
        ];
      }
      // The fenced (or failed) peer is back as a standby: its management server is normal again.
      if (e.role === "standby" && state.peerStatus !== "normal")
        return [{ ...next, peerStatus: "normal" }, []];
      return [next, []];
  }
}

/**
 * The election as a pure function: one event (a tick, a heartbeat, the peer lost, a fence result,
 * a VIP probe, a handover) in, the next state and the effects (become active or standby, fence
 * the peer, probe the VIP) out. Time comes in the events.
 */
export function transition(state: HaState, event: HaEvent, timing: HaTiming): Result {
  switch (event.type) {
    case "tick":
      return onTick(state, event.now, timing);
    case "heartbeat":
      return onHeartbeat(state, event, timing);
    case "peerLost":
      if (state.role === "standby" && !state.stopping)
        return startFencing(state, event.now, "sync connection lost");
      return [state, []];
    case "peerStreamLost":
      return onEvidence(state, event.now, "streamLostAt", timing);
    case "peerConnectRefused":
      return onEvidence(state, event.now, "refusedAt", timing);
    case "peerStreamOpened":
      return [{ ...state, evidence: NO_EVIDENCE }, []];
    case "vipProbed": {
      if (state.role !== "undecided" || state.vipProbe !== "pending") return [state, []];
      const idle: HaState = { ...state, vipProbe: "idle", nextProbeAt: event.now + timing.startWaitMs };
      if (peerAlive(state, event.now, timing)) return [idle, []];
      // The VIP answers but the peer is silent: its daemon died (the VIP stays on its host) or the
      // duplex link is down. Either way fence it before anything else, as a standby would.
      if (event.inUse) return startFencing(idle, event.now, "silent, and the VIP answers ARP");
      // Two lone starters could both see a free VIP. Only the preferred node claims on the probe;
      // the other fences the preferred one first, so at most one of them is ever up and active.
      if (state.preferred) return activate(idle, "alone");
      return startFencing(idle, event.now, "alone at start and the VIP is free");
    }
    case "fenced": {
      const f = state.fencing;
      if (state.role === "active" || !f || state.stopping) return [state, []];
      if (event.ok) {
        const [s, fx] = activate({ ...state, peerStatus: "reset" }, "fenced");
        return [s, [log("warn", `peer ${state.peerName} fenced by ${event.method ?? "bmc"}`), ...fx]];
      }
      const nextAt = event.now + timing.fenceRetryMs;
      return [
        {
          ...state,
          peerStatus: "error",
          fencing: { ...f, inFlight: false, nextAt, lastError: event.error ?? "unknown" },
        },
        [
          log("error", `fencing ${state.peerName} failed: ${event.error ?? "unknown"}; not taking over`, {
            attempt: f.attempt,
          }),
        ],
      ];
    }
    case "handover":
      if (event.from !== state.peerName || state.role !== "standby" || state.stopping) return [state, []];
      // A fence already issued lands whatever the peer says now: take over on its result, not twice.
      if (state.fencing?.inFlight)
        return [state, [log("info", "hand-over heard while fencing the peer: the fence decides")]];
      return activate({ ...state, fencing: null, term: Math.max(state.term, event.term) }, "handover");
    case "requestHandover":
      if (state.role !== "active")
        return [state, [log("warn", "hand-over asked on a node that is not active")]];
      return [
        { ...state, role: "undecided", stopping: true },
        [
          { kind: "stepDown", reason: "hand-over" },
          { kind: "sendHandover", term: state.term },
        ],
      ];
    case "shutdown":
      return [
        { ...state, stopping: true, role: "undecided" },
        state.role === "active" ? [{ kind: "stepDown", reason: "shutdown" }] : [],
      ];
  }
}
