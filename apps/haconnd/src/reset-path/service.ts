// The reset path between HA monitors and the engine: datagrams become engine events, the
// engine's send effects become datagrams. Results and ATTENTION repeat every second until
// acknowledged (at most REPEAT_MAX_SENDS times); ATTENTION goes by unicast to each registered
// monitor of the cluster and, when configured, by broadcast on the reset-path subnet.
//
// No state per unknown sender: the CHECK's requestId travels in the engine's reply effect (no
// map keyed by sender), an ERROR to an unknown requester is sent once with no repeat timer, a
// DUMP-NOTICE or fence_kdump notice that matches no system registered from that address never
// reaches the engine. What such senders get is limited per source (socket.mayAnswer) and what
// they cause in the logs is one counted, rate-limited line (socket.refuse). Repeat timers exist
// only for registered monitors, one per (copy, monitor), bounded by the registry's limits.
//
// ACKs cancel a repeat only when they come from the monitor the copy went to: same address
// and port, same subsystem (senderId), same requestId / eventId.

import { randomInt } from "node:crypto";
import type { Clock, EngineRunner, MonitorRecord, SendEffect } from "@haconn/core";
import { monitorStatus } from "@haconn/core";
import type {
  ConnectorRole,
  DumpAckStatus,
  RedundancyWarning,
  ResetPathMessage,
  ResetPhase,
  SystemStatus,
} from "@haconn/protocol";
import { Repeats } from "./repeats.js";
import type { Peer, RefusalReason } from "./socket.js";

/** What the service needs of the socket (ResetPathSocket has it; tests pass a recorder). */
export interface ResetPathPort {
  /** Key mode: every datagram delivered carried a verified trailer. */
  readonly signed: boolean;
  send(to: Peer, message: ResetPathMessage): void;
  /** Counts a refusal and logs it, rate-limited per reason and source. */
  refuse(reason: RefusalReason, from: Peer): void;
  /** May a stateless answer go to `from` now (per-source limit)? */
  mayAnswer(from: Peer): boolean;
}

export interface ResetPathServiceOptions {
  /** The engine (a function: the engine's ports need this service first). */
  engine(): EngineRunner;
  clock: Clock;
  nodeName: string;
  role(): ConnectorRole;
  redundancy(): Record<RedundancyWarning, boolean>;
  /** Subnet broadcast address for ATTENTION copies, or null for unicast only. */
  broadcast: string | null;
  /**
   * Pair mode: resolves true once the standby holds state `version` (false: serving alone, or
   * no acknowledgement in time). Absent: running alone by configuration, acknowledge at once.
   */
  replicated?(version: number): Promise<boolean>;
  /**
   * The per-system allow-list of monitor source addresses (haconnsetup hamonitor; config's
   * monitorSourceAllowed): a CHECK for a system from an address not on its list is dropped
   * before any state. Absent: every address may register.
   */
  monitorAllowed?(systemName: string, addr: string): boolean;
}

const PHASE: Record<string, ResetPhase> = { soft: "softReset", hard: "hardReset", pduCut: "pduCut" };

/**
 * A DUMP-NOTICE with the requestId of the last one is a retransmission only this long after it
 * (the notifier repeats for 5 s): a notifier restarted after the system's reboot may count its
 * requestIds from 1 again, and its new notice must reach the engine.
 */
const DUMP_DUPLICATE_MS = 10_000;

/** At most one notice (fence_kdump, or a new DUMP-NOTICE) a second per registration reaches the engine. */
const NOTICE_MIN_INTERVAL_MS = 1000;

/** Wire eventIds: random, so a blind forger cannot guess the next one (1..2^48). */
function wireEventId(): number {
  return randomInt(1, 2 ** 48);
}

export class ResetPathService {
  private socket: ResetPathPort | undefined;
  /** Repeat series of results and ATTENTION copies (a result series per requester is capped). */
  private readonly repeats: Repeats;
  /**
   * Last DUMP-NOTICE answer per registration (key → requestId, status): a duplicate gets the
   * first answer. Keyed by registered monitors only (at most 256 entries).
   */
  private readonly dumpAnswers = new Map<string, { requestId: number; status: DumpAckStatus; at: number }>();
  /** Last notice passed to the engine, per registration (registered monitors only, ≤ 256). */
  private readonly kdumpAt = new Map<string, number>();
  private nextId = 1;

  constructor(private readonly o: ResetPathServiceOptions) {
    this.repeats = new Repeats(o.clock);
  }

  attach(socket: ResetPathPort | undefined): void {
    this.socket = socket;
    if (!socket) {
      this.stopRepeats();
      this.dumpAnswers.clear();
      this.kdumpAt.clear();
    }
  }

  /** Sizes of the service's tables (dumpState): none grows with unknown senders. */
  stats() {
    return {
      repeats: this.repeats.size,
      resultSeriesRequesters: this.repeats.owners,
      dumpAnswers: this.dumpAnswers.size,
      kdumpSources: this.kdumpAt.size,
      // RESETs of registered requesters refused or answered from the state: counted by reason,
      // their reset-log lines limited to one per reason per source a minute.
      refusedResetLines: this.o.engine().limitedLog,
    };
  }

  private header(requestId: number, attempt = 0) {
    return { requestId, senderId: 0, timestampMs: Math.floor(this.o.clock.now()), attempt };
  }

  private get monitors(): readonly MonitorRecord[] {
    return Object.values(this.o.engine().state.shared.monitors);
  }

  /** A decoded datagram from an HA monitor or dump notifier. */
  handle(m: ResetPathMessage, from: Peer): void {
    const id = m.header.requestId;
    // Signed: the socket holds a key and verified this frame's trailer (key mode requires one).
    const authenticated = m.auth !== undefined && this.socket?.signed === true;
    switch (m.type) {
      case "check":
        // The per-system allow-list (haconnsetup hamonitor … allow=): a CHECK from elsewhere never
        // registers, so RESETs and DUMP notices, which count only from the registered address,
        // are held to the list too. Counted, no answer, no state.
        if (this.o.monitorAllowed && !this.o.monitorAllowed(m.body.systemName, from.addr)) {
          this.socket?.refuse("not-allowed", from);
          return;
        }
        this.o.engine().dispatch({
          type: "check",
          from,
          requestId: id,
          system: m.body.systemName,
          subsystem: m.header.senderId,
          port: m.body.replyPort,
          vmName: m.body.vmName === "" ? null : m.body.vmName,
          pairSubsystem: m.body.pairSubsystem === 0 ? null : m.body.pairSubsystem,
          intervalSec: m.body.intervalSec,
          authenticated,
        });
        return;
      case "reset":
        if (this.o.role() !== "active") {
          // Only during a role change (the reset path is bound while active): FAIL / not active.
          if (this.socket?.mayAnswer(from)) {
            this.socket.send(from, {
              type: "reset-result",
              header: this.header(id),
              body: { targetSubsystem: m.body.targetSubsystem, result: "FAIL", detail: "notActive" },
            });
          }
          return;
        }
        this.o.engine().dispatch({
          type: "reset",
          from,
          requestId: id,
          system: m.body.targetSystemName,
          target: m.body.targetSubsystem,
          requester: m.header.senderId,
          clusterPort: m.body.clusterPort,
          ...(m.body.fence === true ? { fence: true } : {}),
        });
        return;
      case "result-ack":
        if (!this.repeats.cancel(`result/${from.addr}:${from.port}/${m.header.senderId}/${id}`)) {
          this.socket?.refuse("unmatched-ack", from);
        }
        return;
      case "attention-ack":
        if (
          !this.repeats.cancel(`attention/${m.body.eventId}/${from.addr}:${from.port}/${m.header.senderId}`)
        ) {
          this.socket?.refuse("unmatched-ack", from);
        }
        return;
      case "dump-notice":
        this.dumpNotice(m, from);
        return;
      default:
        // Replies and notices meant for monitors are not for us: ignored, counted.
        this.socket?.refuse("wrong-direction", from);
        return;
    }
  }

  /**
   * DUMP-NOTICE: only a notice from a registered system's own address (and, when it names one,
   * its cluster port) reaches the engine. Status (docs/protocol.md §4.8): `accepted` when a
   * reset in progress counted it (the engine finished the job with DUMP), `recorded` otherwise,
   * `unknown` when no system with that subsystem is registered *from this address*: the
   * answer depends only on what the sender's own address is, so it is no oracle of which
   * subsystems are registered elsewhere.
   */
  private dumpNotice(m: Extract<ResetPathMessage, { type: "dump-notice" }>, from: Peer): void {
    const id = m.header.requestId;
    const subsystem = m.header.senderId;
    const record = this.monitors.find(
      (r) =>
        r.subsystem === subsystem &&
        r.addr === from.addr &&
        (m.body.clusterPort === 0 || r.port === m.body.clusterPort),
    );
    const ack = (status: DumpAckStatus) =>
      this.socket?.send(from, { type: "dump-ack", header: this.header(id), body: { subsystem, status } });
    if (!record) {
      this.socket?.refuse("unknown-system", from);
      if (this.socket?.mayAnswer(from)) ack("unknownSystem");
      return;
    }
    const previous = this.dumpAnswers.get(record.key);
    if (previous?.requestId === id && this.o.clock.now() - previous.at < DUMP_DUPLICATE_MS) {
      // A retransmission of an accepted notice (the ACK was lost): `accepted` again, the engine
      // is not asked twice; in a pair, like the first, only once the standby holds the state.
      // Only accepted answers are remembered: a copy of a notice answered `recorded` is asked
      // afresh (notifier rule 2, docs/protocol.md §6: a notice that came before the reset's
      // software-reset phase counts once the phase has begun).
      if (!this.o.replicated) ack(previous.status);
      else {
        void this.o.replicated(this.o.engine().state.shared.version).then((ok) => {
          if (ok) ack(previous.status);
        });
      }
      return;
    }
    // A new notice (new requestId) at most once a second per registration: a flood from a
    // (spoofed) registered address cannot fill the reset log; the notifier repeats every 500 ms.
    const now = this.o.clock.now();
    const last = this.kdumpAt.get(record.key);
    if (last !== undefined && now - last < NOTICE_MIN_INTERVAL_MS) {
      this.socket?.refuse("notice-rate", from);
      return;
    }
    this.kdumpAt.set(record.key, now);
    const engine = this.o.engine();
    const before = engine.state.shared;
    engine.dispatch({ type: "dumpNotice", from, subsystem });
    const after = engine.state.shared;
    const counted =
      before.jobs[record.key] !== undefined &&
      after.jobs[record.key] === undefined &&
      after.monitors[record.key]?.status === "dump";
    const status: DumpAckStatus = counted ? "accepted" : "recorded";
    if (counted) this.dumpAnswers.set(record.key, { requestId: id, status, at: now });
    else if (previous?.requestId === id) this.dumpAnswers.delete(record.key);
    this.pruneDumpAnswers();
    if (after.version === before.version || !this.o.replicated) {
      ack(status);
      return;
    }
    // In a pair, acknowledge only what the standby knows: without the ack the notifier keeps
    // repeating, so a standby that takes over after fencing this node still hears the notice.
    void this.o.replicated(after.version).then((ok) => {
      if (ok) ack(status);
    });
  }

  private pruneDumpAnswers(): void {
    const shared = this.o.engine().state.shared;
    for (const key of this.dumpAnswers.keys()) if (!shared.monitors[key]) this.dumpAnswers.delete(key);
    for (const key of this.kdumpAt.keys()) if (!shared.monitors[key]) this.kdumpAt.delete(key);
  }

  /**
   * A fence_kdump notice: it names no system, so only a registered system's own address counts,
   * and at most one a second per registration reaches the engine (fence_kdump_send repeats
   * every few seconds by itself). Anything else is counted and logged, rate-limited.
   */
  kdump(from: Peer): void {
    const record = this.monitors.find((r) => r.addr === from.addr);
    if (!record) {
      this.socket?.refuse("unknown-system", from);
      return;
    }
    const now = this.o.clock.now();
    const last = this.kdumpAt.get(record.key);
    if (last !== undefined && now - last < NOTICE_MIN_INTERVAL_MS) {
      this.socket?.refuse("notice-rate", from);
      return;
    }
    this.kdumpAt.set(record.key, now);
    this.pruneDumpAnswers();
    this.o.engine().dispatch({ type: "dumpNotice", from, subsystem: null });
  }

  /** Carries out one of the engine's send effects. */
  send(e: SendEffect): void {
    const socket = this.socket;
    if (!socket) return; // not active: nothing goes out on the reset path
    switch (e.kind) {
      case "sendCheckReply": {
        if (!e.accepted) {
          // Refused: a stateless answer, limited per source, and a counted, rate-limited line.
          socket.refuse("check-refused", e.to);
          if (!socket.mayAnswer(e.to)) return;
        }
        const shared = this.o.engine().state.shared;
        const record = e.accepted
          ? Object.values(shared.monitors).find((r) => r.subsystem === e.subsystem && r.addr === e.to.addr)
          : undefined;
        const status = record ? monitorStatus(shared, record) : "----";
        socket.send(e.to, {
          type: "check-reply",
          header: this.header(e.requestId ?? 0),
          body: {
            blockers: {
              unknownSystem: !e.accepted,
              bmcLink: e.reasons.includes("BMC_NG"),
              pduLink: e.reasons.includes("IPDU_NG"),
              esxiLink: e.reasons.includes("ESXI_NG"),
            },
            redundancy: this.o.redundancy(),
            role: this.o.role(),
            status: (status === "----" ? "unset" : status) as SystemStatus,
            pairSubsystem: record?.pair ?? 0,
            responder: this.o.nodeName,
          },
        });
        return;
      }
      case "sendAccepted": {
        const job = Object.values(this.o.engine().state.shared.jobs).find(
          (j) => j.system === e.system && j.subsystem === e.target,
        );
        socket.send(e.to, {
          type: "reset-accepted",
          header: this.header(e.requestId),
          body: { targetSubsystem: e.target, phase: job ? (PHASE[job.phase] ?? "softReset") : "queued" },
        });
        return;
      }
      case "sendResult": {
        const body = { targetSubsystem: e.target, result: e.result, detail: e.detail ?? "none" };
        if (e.stateless) {
          if (e.unknownRequester) socket.refuse("unknown-requester", e.to);
          if (socket.mayAnswer(e.to)) {
            socket.send(e.to, { type: "reset-result", header: this.header(e.requestId), body });
          }
          return;
        }
        const key = `result/${e.to.addr}:${e.to.port}/${e.requester ?? 0}/${e.requestId}`;
        const send = (attempt: number) =>
          socket.send(e.to, { type: "reset-result", header: this.header(e.requestId, attempt), body });
        this.repeats.start(key, send, `${e.to.addr}/${e.requester ?? 0}`);
        return;
      }
      case "sendAttention": {
        const eventId = wireEventId();
        const body = {
          eventId,
          state: e.state,
          kind: e.category === "V" ? ("guest" as const) : ("physical" as const),
          targetSubsystem: e.target,
          clusterPort: e.clusterPort,
          targetSystemName: e.system,
          targetVmName: e.vmName ?? "",
        };
        const id = this.nextId++;
        for (const to of e.recipients) {
          this.repeats.start(`attention/${eventId}/${to.addr}:${to.port}/${to.subsystem ?? 0}`, (attempt) =>
            socket.send(to, { type: "attention", header: this.header(id, attempt), body }),
          );
        }
        if (this.o.broadcast) {
          const to = { addr: this.o.broadcast, port: e.clusterPort };
          socket.send(to, { type: "attention", header: this.header(id), body });
        }
        return;
      }
    }
  }

  stopRepeats(): void {
    this.repeats.clear();
  }
}
