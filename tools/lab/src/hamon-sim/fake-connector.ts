// A tiny connector built on the codec, for testing the simulators (and the interop client) until
// the real daemon exists. It registers monitors from CHECK, answers RESET at once with
// RESET-ACCEPTED (a retransmission gets the current state), later with RESET-RESULT repeated
// until RESULT-ACK, then sends ATTENTION to the target cluster's monitors until each acknowledges.
import { createSocket, type Socket } from "node:dgram";
import {
  type AttentionBody,
  type CheckReplyBody,
  decodeFenceKdump,
  type KeyRing,
  REPEAT_MAX_SENDS,
  type ResetPathMessage,
  type ResetResultBody,
  type SystemKind,
} from "@haconn/protocol";
import type { HamonSimEndpoint } from "./address.js";
import { HamonSimChannel } from "./channel.js";
import type { HamonSimLog } from "./trace.js";

export interface HamonSimFakeConnectorOptions {
  bind?: HamonSimEndpoint;
  /** Also listen for fence_kdump notices on this endpoint. */
  kdumpBind?: HamonSimEndpoint;
  key?: KeyRing;
  log?: HamonSimLog;
  /** Ignore this many RESET datagrams first (to exercise retransmission). */
  ignoreResets?: number;
  /** Time from RESET-ACCEPTED to RESET-RESULT. */
  resultDelayMs?: number;
  /** Period of RESET-RESULT and ATTENTION repeats. */
  repeatMs?: number;
  /** Blockers to report in CHECK-REPLY for a given subsystem. */
  blockers?: (subsystem: number) => Partial<CheckReplyBody["blockers"]>;
}

interface Registered {
  from: HamonSimEndpoint;
  replyPort: number;
  subsystem: number;
  systemName: string;
  kind: SystemKind;
  vmName: string;
}

interface ResetOp {
  requestId: number;
  requester: HamonSimEndpoint;
  targetSubsystem: number;
  result?: ResetResultBody;
  acked: boolean;
}

export class HamonSimFakeConnector {
  readonly received: ResetPathMessage[] = [];
  readonly kdumpNotices: HamonSimEndpoint[] = [];
  readonly registered = new Map<string, Registered>();
  readonly attentionAcks: { eventId: number; subsystem: number }[] = [];
  private readonly ops = new Map<string, ResetOp>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Resets actually started (a retransmission never adds one). */
  resetsStarted = 0;
  private ignoreResets: number;
  private nextEvent = 1;
  private kdump: Socket | undefined;

  private constructor(
    readonly channel: HamonSimChannel,
    private readonly options: HamonSimFakeConnectorOptions,
  ) {
    this.ignoreResets = options.ignoreResets ?? 0;
    channel.onMessage((m, from) => this.receive(m, from));
  }

  static async start(options: HamonSimFakeConnectorOptions = {}): Promise<HamonSimFakeConnector> {
    const channel = await HamonSimChannel.open({
      who: "fakeconn",
      bind: options.bind ?? { address: "127.0.0.1", port: 0 },
      key: options.key,
      log: options.log,
      answerUnsupportedVersion: true,
    });
    const c = new HamonSimFakeConnector(channel, options);
    if (options.kdumpBind) {
      const s = createSocket("udp4");
      c.kdump = s;
      s.on("message", (bytes, rinfo) => {
        if (decodeFenceKdump(bytes).ok) c.kdumpNotices.push({ address: rinfo.address, port: rinfo.port });
      });
      await new Promise<void>((resolve) =>
        s.bind(options.kdumpBind!.port, options.kdumpBind!.address, resolve),
      );
    }
    return c;
  }

  get endpoint(): HamonSimEndpoint {
    return this.channel.address;
  }

  get kdumpEndpoint(): HamonSimEndpoint | undefined {
    const a = this.kdump?.address();
    return a ? { address: a.address, port: a.port } : undefined;
  }

  /** Sends ATTENTION to every registered monitor of the cluster, repeating until each acknowledges. */
  sendAttention(body: Omit<AttentionBody, "eventId">): number {
    const eventId = this.nextEvent++;
    for (const m of this.registered.values()) {
      if (m.replyPort !== body.clusterPort) continue;
      const to = { address: m.from.address, port: m.replyPort };
      this.repeat(
        (n) =>
          this.send(to, { type: "attention", header: this.header(eventId, n), body: { ...body, eventId } }),
        () => this.attentionAcks.some((a) => a.eventId === eventId && a.subsystem === m.subsystem),
      );
    }
    return eventId;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.channel.close();
    this.kdump?.close();
  }

  private receive(m: ResetPathMessage, from: HamonSimEndpoint): void {
    this.received.push(m);
    const id = m.header.requestId;
    switch (m.type) {
      case "check": {
        const r: Registered = { from, subsystem: m.header.senderId, ...m.body };
        this.registered.set(`${m.body.replyPort}/${m.header.senderId}`, r);
        const blockers = { unknownSystem: false, bmcLink: false, pduLink: false, esxiLink: false };
        Object.assign(blockers, this.options.blockers?.(m.header.senderId) ?? {});
        void this.send(from, {
          type: "check-reply",
          header: this.header(id, 0),
          body: {
            blockers,
            redundancy: {
              standbyNotSynchronised: true,
              standbyAbnormal: false,
              managementServerNotResettable: false,
            },
            role: "active",
            status: "normal",
            pairSubsystem: m.body.pairSubsystem,
            responder: "fakeconn",
          },
        });
        return;
      }
      case "reset":
        this.onReset(m.header.senderId, id, m.body.targetSubsystem, m.body.clusterPort, from);
        return;
      case "result-ack": {
        const op = this.ops.get(`${m.header.senderId}/${id}`);
        if (op) op.acked = true;
        return;
      }
      case "dump-notice": {
        const known = [...this.registered.values()].some((r) => r.subsystem === m.header.senderId);
        const inReset = [...this.ops.values()].some(
          (o) => o.targetSubsystem === m.header.senderId && !o.result,
        );
        void this.send(from, {
          type: "dump-ack",
          header: this.header(id, 0),
          body: {
            subsystem: m.header.senderId,
            status: !known ? "unknownSystem" : inReset ? "accepted" : "recorded",
          },
        });
        return;
      }
      case "attention-ack":
        this.attentionAcks.push({ eventId: m.body.eventId, subsystem: m.header.senderId });
        return;
      default:
        return;
    }
  }

  private onReset(
    requester: number,
    id: number,
    target: number,
    clusterPort: number,
    from: HamonSimEndpoint,
  ): void {
    const key = `${requester}/${id}`;
    const existing = this.ops.get(key);
    if (existing) {
      // A retransmission never starts a second reset: it gets the current state.
      if (existing.result)
        void this.send(from, { type: "reset-result", header: this.header(id, 0), body: existing.result });
      else void this.accepted(from, id, target);
      return;
    }
    if (this.ignoreResets > 0) {
      this.ignoreResets -= 1;
      return;
    }
    const t = [...this.registered.values()].find(
      (r) => r.subsystem === target && r.replyPort === clusterPort,
    );
    if (!t) {
      const result: ResetResultBody = { targetSubsystem: target, result: "ERROR", detail: "unknownTarget" };
      this.ops.set(key, { requestId: id, requester: from, targetSubsystem: target, result, acked: false });
      void this.send(from, { type: "reset-result", header: this.header(id, 0), body: result });
      return;
    }
    const op: ResetOp = { requestId: id, requester: from, targetSubsystem: target, acked: false };
    this.resetsStarted += 1;
    this.ops.set(key, op);
    void this.accepted(from, id, target);
    this.later(this.options.resultDelayMs ?? 50, () => {
      op.result = { targetSubsystem: target, result: "DUMP", detail: "none" };
      this.repeat(
        (n) => this.send(from, { type: "reset-result", header: this.header(id, n), body: op.result! }),
        () => op.acked,
      );
      this.sendAttention({
        state: "DUMP",
        kind: t.kind,
        targetSubsystem: target,
        clusterPort,
        targetSystemName: t.systemName,
        targetVmName: t.vmName,
      });
    });
  }

  private accepted(to: HamonSimEndpoint, id: number, target: number): Promise<void> {
    return this.send(to, {
      type: "reset-accepted",
      header: this.header(id, 0),
      body: { targetSubsystem: target, phase: "softReset" },
    });
  }

  private repeat(sendOnce: (attempt: number) => Promise<void>, done: () => boolean, attempt = 0): void {
    if (done() || attempt >= REPEAT_MAX_SENDS) return;
    void sendOnce(attempt).catch(() => undefined);
    this.later(this.options.repeatMs ?? 200, () => this.repeat(sendOnce, done, attempt + 1));
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private send(to: HamonSimEndpoint, m: ResetPathMessage): Promise<void> {
    return this.channel.send(to, m).catch(() => undefined);
  }

  private header(requestId: number, attempt: number) {
    return { requestId, senderId: 0, timestampMs: this.channel.clock(), attempt };
  }
}
