// The reset path between HA monitors and the engine: datagrams become engine events, the
// engine's send effects become datagrams. Results and ATTENTION repeat every second until
// acknowledged (at most REPEAT_MAX_SENDS times); ATTENTION goes by unicast to each registered
// monitor of the cluster and, when configured, by broadcast on the reset-path subnet.

import type { Clock, EngineRunner, SendEffect, TimerHandle } from "@haconn/core";
import { monitorStatus } from "@haconn/core";
import {
  type ConnectorRole,
  type RedundancyWarning,
  REPEAT_INTERVAL_MS,
  REPEAT_MAX_SENDS,
  type ResetPathMessage,
  type ResetPhase,
  type ResetResultDetail,
  type SystemStatus,
} from "@haconn/protocol";
import type { Peer, ResetPathSocket } from "./socket.js";

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
const DETAIL: Record<string, ResetResultDetail> = {
  DUMP: "none",
  POFF: "none",
  FAIL: "resetFailed",
  ERROR: "invalidRequester",
};

export class ResetPathService {
  private socket: ResetPathSocket | undefined;
  /** Request id of the last CHECK per monitor, echoed in the reply. */
  private readonly checkIds = new Map<string, number>();
  private readonly repeats = new Map<string, TimerHandle>();
  private nextId = 1;

  constructor(private readonly o: ResetPathServiceOptions) {}

  attach(socket: ResetPathSocket | undefined): void {
    this.socket = socket;
    if (!socket) this.stopRepeats();
  }

  private header(requestId: number, attempt = 0) {
    return { requestId, senderId: 0, timestampMs: Math.floor(this.o.clock.now()), attempt };
  }

  /** A decoded datagram from an HA monitor or dump notifier. */
  handle(m: ResetPathMessage, from: Peer): void {
    const id = m.header.requestId;
    switch (m.type) {
      case "check":
        if (this.o.monitorAllowed && !this.o.monitorAllowed(m.body.systemName, from.addr)) return;
        this.checkIds.set(`${from.addr}:${from.port}/${m.header.senderId}`, id);
        this.o.engine().dispatch({
          type: "check",
          from,
          system: m.body.systemName,
          subsystem: m.header.senderId,
          port: m.body.replyPort,
          vmName: m.body.vmName === "" ? null : m.body.vmName,
          pairSubsystem: m.body.pairSubsystem === 0 ? null : m.body.pairSubsystem,
        });
        return;
      case "reset":
        this.o.engine().dispatch({
          type: "reset",
          from,
          requestId: id,
          system: m.body.targetSystemName,
          target: m.body.targetSubsystem,
          requester: m.header.senderId,
        });
        return;
      case "result-ack":
        this.cancel(`result/${from.addr}:${from.port}/${id}`);
        return;
      case "attention-ack":
        this.cancel(`attention/${m.body.eventId}/${from.addr}`);
        return;
      case "dump-notice": {
        const known = Object.values(this.o.engine().state.shared.monitors).some(
          (r) => r.subsystem === m.header.senderId,
        );
        this.o.engine().dispatch({ type: "dumpNotice", from, subsystem: m.header.senderId });
        const ack = () =>
          this.socket?.send(from, {
            type: "dump-ack",
            header: this.header(id),
            body: { subsystem: m.header.senderId, status: known ? "accepted" : "unknownSystem" },
          });
        if (!known || !this.o.replicated) {
          ack();
          return;
        }
        // In a pair, acknowledge only what the standby knows: without the ack the notifier keeps
        // repeating, so a standby that takes over after fencing this node still hears the notice.
        void this.o.replicated(this.o.engine().state.shared.version).then((ok) => {
          if (ok) ack();
        });
        return;
      }
      default:
        return; // replies and notices meant for monitors are not for us
    }
  }

  /** A fence_kdump notice: the engine maps it to a system by source address. */
  kdump(from: Peer): void {
    this.o.engine().dispatch({ type: "dumpNotice", from, subsystem: null });
  }

  /** Carries out one of the engine's send effects. */
  send(e: SendEffect): void {
    const socket = this.socket;
    if (!socket) return; // not active: nothing goes out on the reset path
    switch (e.kind) {
      case "sendCheckReply": {
        const shared = this.o.engine().state.shared;
        const record = Object.values(shared.monitors).find(
          (r) => r.subsystem === e.subsystem && r.addr === e.to.addr,
        );
        const status = record ? monitorStatus(shared, record) : "----";
        socket.send(e.to, {
          type: "check-reply",
          header: this.header(this.checkIds.get(`${e.to.addr}:${e.to.port}/${e.subsystem}`) ?? 0),
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
        const body = { targetSubsystem: e.target, result: e.result, detail: DETAIL[e.result] ?? "none" };
        this.repeat(`result/${e.to.addr}:${e.to.port}/${e.requestId}`, (attempt) =>
          socket.send(e.to, { type: "reset-result", header: this.header(e.requestId, attempt), body }),
        );
        return;
      }
      case "sendAttention": {
        const body = {
          eventId: e.eventId,
          state: e.state,
          kind: e.category === "V" ? ("guest" as const) : ("physical" as const),
          targetSubsystem: e.target,
          clusterPort: e.clusterPort,
          targetSystemName: e.system,
          targetVmName: e.vmName ?? "",
        };
        const id = this.nextId++;
        for (const to of e.recipients) {
          this.repeat(`attention/${e.eventId}/${to.addr}`, (attempt) =>
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

  private repeat(key: string, sendOnce: (attempt: number) => void, attempt = 0): void {
    this.cancel(key);
    if (attempt >= REPEAT_MAX_SENDS) return;
    try {
      sendOnce(attempt);
    } catch {
      // a send error (e.g. no route) is retried like a lost datagram
    }
    this.repeats.set(
      key,
      this.o.clock.setTimeout(() => this.repeat(key, sendOnce, attempt + 1), REPEAT_INTERVAL_MS),
    );
  }

  private cancel(key: string): void {
    const t = this.repeats.get(key);
    if (t !== undefined) this.o.clock.clearTimeout(t);
    this.repeats.delete(key);
  }

  stopRepeats(): void {
    for (const t of this.repeats.values()) this.o.clock.clearTimeout(t);
    this.repeats.clear();
  }
}
