// One simulated HA monitor: registers with CHECK every intervalMs, sends RESET on demand and
// retransmits it until accepted (bounded), acknowledges RESET-RESULT and every ATTENTION
// (deduplicating by event id), and traces every exchange.
import { randomInt } from "node:crypto";
import {
  type AttentionBody,
  type CheckReplyBody,
  RESET_MAX_SENDS,
  RESET_RETRANSMIT_MS,
  type ResetAcceptedBody,
  type ResetPathMessage,
  type ResetResultBody,
  type SystemKind,
} from "@haconn/protocol";
import { type HamonSimEndpoint, hamonSimCheckAddress } from "./address.js";
import { HamonSimChannel, type HamonSimChannelOptions } from "./channel.js";
import { hamonSimKeyFor } from "./key-registry.js";

export interface HamonSimMonitorOptions extends Omit<HamonSimChannelOptions, "who"> {
  subsystem: number;
  systemName: string;
  kind?: SystemKind;
  vmName?: string;
  pairSubsystem?: number;
  connector: HamonSimEndpoint;
  /** CHECK period; 0 = no periodic CHECK (call check() yourself). */
  checkIntervalMs: number;
  /**
   * Send unsigned even when a key is registered for the connector (hamonSimKeyFor): for tests
   * that act without the key on purpose. Without `key` and without this, the registered key is used.
   */
  unsigned?: boolean;
}

export interface HamonSimResetTarget {
  subsystem: number;
  systemName: string;
}

export interface HamonSimResetOutcome {
  requestId: number;
  /** Datagrams sent until RESET-ACCEPTED or RESET-RESULT arrived (or the bound was reached). */
  sends: number;
  accepted?: ResetAcceptedBody;
  result?: ResetResultBody;
}

interface Waiter {
  requestId: number;
  types: ResetPathMessage["type"][];
  resolve(m: ResetPathMessage | undefined): void;
}

export class HamonSimMonitor {
  readonly attentions: AttentionBody[] = [];
  lastCheckReply: CheckReplyBody | undefined;
  private readonly seenEvents = new Set<number>();
  private readonly waiters = new Set<Waiter>();
  private nextId = randomInt(1, 0x7fff_ffff);
  private timer: NodeJS.Timeout | undefined;
  private attentionListeners: ((a: AttentionBody) => void)[] = [];

  private constructor(
    readonly channel: HamonSimChannel,
    private readonly options: HamonSimMonitorOptions,
  ) {
    channel.onMessage((m, from) => this.receive(m, from));
  }

  static async start(options: HamonSimMonitorOptions): Promise<HamonSimMonitor> {
    hamonSimCheckAddress(options.connector.address, "connector address", options.inNamespace);
    const key = options.key ?? (options.unsigned ? undefined : hamonSimKeyFor(options.connector));
    const channel = await HamonSimChannel.open({
      ...options,
      ...(key ? { key } : {}),
      who: `hamon[${options.subsystem}]`,
    });
    const monitor = new HamonSimMonitor(channel, options);
    if (options.checkIntervalMs > 0) {
      void monitor.check().catch(() => undefined);
      monitor.timer = setInterval(() => void monitor.check().catch(() => undefined), options.checkIntervalMs);
    }
    return monitor;
  }

  get subsystem(): number {
    return this.options.subsystem;
  }

  /** The reset-path port this monitor listens on (its CHECK replyPort). */
  get replyPort(): number {
    return this.channel.address.port;
  }

  onAttention(listener: (a: AttentionBody) => void): void {
    this.attentionListeners.push(listener);
  }

  /** Sends one CHECK and waits for its reply (undefined after timeoutMs). */
  async check(timeoutMs = 2000): Promise<CheckReplyBody | undefined> {
    const o = this.options;
    const requestId = this.newId();
    const kind = o.kind ?? "physical";
    const reply = this.expect(requestId, ["check-reply"], timeoutMs);
    await this.channel.send(o.connector, {
      type: "check",
      header: this.header(requestId, 0),
      body: {
        replyPort: this.replyPort,
        kind,
        intervalSec: Math.min(3600, Math.max(1, Math.round(o.checkIntervalMs / 1000) || 1)),
        pairSubsystem: o.pairSubsystem ?? 0,
        systemName: o.systemName,
        vmName: kind === "guest" ? (o.vmName ?? "") : "",
      },
    });
    const m = await reply;
    if (m?.type !== "check-reply") return undefined;
    this.lastCheckReply = m.body;
    return m.body;
  }

  /**
   * Asks for a reset: retransmits (same request id, attempt+1) on the documented schedule until
   * RESET-ACCEPTED or RESET-RESULT arrives or maxSends datagrams went out; then, when
   * resultTimeoutMs > 0, waits for the RESET-RESULT (acknowledged with RESULT-ACK).
   */
  async reset(
    target: HamonSimResetTarget,
    opts: { maxSends?: number; resultTimeoutMs?: number } = {},
  ): Promise<HamonSimResetOutcome> {
    const maxSends = opts.maxSends ?? RESET_MAX_SENDS;
    const requestId = this.newId();
    const outcome: HamonSimResetOutcome = { requestId, sends: 0 };
    const result = this.expect(requestId, ["reset-result"], 0);
    let answer: ResetPathMessage | undefined;
    for (let attempt = 0; attempt < maxSends && !answer; attempt++) {
      const wait = RESET_RETRANSMIT_MS[Math.min(attempt, RESET_RETRANSMIT_MS.length - 1)]!;
      const reply = this.expect(requestId, ["reset-accepted", "reset-result"], wait);
      outcome.sends += 1;
      await this.channel.send(this.options.connector, {
        type: "reset",
        header: this.header(requestId, attempt),
        body: {
          targetSubsystem: target.subsystem,
          clusterPort: this.replyPort,
          targetSystemName: target.systemName,
        },
      });
      answer = await reply;
    }
    if (answer?.type === "reset-accepted") outcome.accepted = answer.body;
    if (answer?.type === "reset-result") outcome.result = answer.body;
    if (!outcome.result && outcome.accepted && (opts.resultTimeoutMs ?? 0) > 0) {
      const m = await Promise.race([result, delay(opts.resultTimeoutMs!)]);
      if (m?.type === "reset-result") outcome.result = m.body;
    }
    for (const w of [...this.waiters]) if (w.requestId === requestId) w.resolve(undefined);
    return outcome;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const w of [...this.waiters]) w.resolve(undefined);
    this.channel.close();
  }

  private receive(m: ResetPathMessage, from: HamonSimEndpoint): void {
    if (m.type === "attention") {
      void this.channel.send(from, {
        type: "attention-ack",
        header: this.header(m.header.requestId, 0),
        body: { eventId: m.body.eventId },
      });
      if (this.seenEvents.has(m.body.eventId)) return;
      this.seenEvents.add(m.body.eventId);
      this.attentions.push(m.body);
      for (const l of this.attentionListeners) l(m.body);
      return;
    }
    if (m.type === "reset-result") {
      void this.channel.send(from, {
        type: "result-ack",
        header: this.header(m.header.requestId, 0),
        body: { targetSubsystem: m.body.targetSubsystem },
      });
    }
    for (const w of [...this.waiters]) {
      if (w.requestId === m.header.requestId && w.types.includes(m.type)) w.resolve(m);
    }
  }

  /** Resolves with the first message of `types` carrying requestId, or undefined after timeoutMs (0 = never). */
  private expect(
    requestId: number,
    types: ResetPathMessage["type"][],
    timeoutMs: number,
  ): Promise<ResetPathMessage | undefined> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter: Waiter = {
        requestId,
        types,
        resolve: (m) => {
          if (timer) clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(m);
        },
      };
      this.waiters.add(waiter);
      if (timeoutMs > 0) timer = setTimeout(() => waiter.resolve(undefined), timeoutMs);
    });
  }

  private header(requestId: number, attempt: number) {
    return { requestId, senderId: this.options.subsystem, timestampMs: this.channel.clock(), attempt };
  }

  private newId(): number {
    this.nextId = (this.nextId + 1) >>> 0;
    return this.nextId;
  }
}

function delay(ms: number): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms).unref());
}
