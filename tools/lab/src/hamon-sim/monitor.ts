// One simulated HA monitor, on @haconn/client (the repo's one implementation of the monitor
// side): registers with CHECK every checkIntervalMs, sends RESET on demand (retransmitted on the
// documented schedule, result acknowledged), acknowledges every ATTENTION (deduplicated by
// event id), and traces every exchange through its HamonSimChannel.
import { type CheckOutcome, HaconnClient, isClientError, type Registration } from "@haconn/client";
import {
  type AttentionBody,
  type CheckReplyBody,
  RESET_MAX_SENDS,
  type ResetAcceptedBody,
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

export class HamonSimMonitor {
  readonly attentions: AttentionBody[] = [];
  lastCheckReply: CheckReplyBody | undefined;
  private stopChecks: (() => void) | undefined;

  private constructor(
    readonly channel: HamonSimChannel,
    /** The client this monitor runs on. */
    readonly client: HaconnClient,
    private readonly options: HamonSimMonitorOptions,
  ) {
    client.onAttention((a) => this.attentions.push(a));
  }

  static async start(options: HamonSimMonitorOptions): Promise<HamonSimMonitor> {
    hamonSimCheckAddress(options.connector.address, "connector address", options.inNamespace);
    const key = options.key ?? (options.unsigned ? undefined : hamonSimKeyFor(options.connector));
    const channel = await HamonSimChannel.open({
      ...options,
      ...(key ? { key } : {}),
      who: `hamon[${options.subsystem}]`,
    });
    const client = new HaconnClient(channel.rp, {
      connector: options.connector,
      subsystem: options.subsystem,
    });
    const monitor = new HamonSimMonitor(channel, client, options);
    if (options.checkIntervalMs > 0) {
      monitor.stopChecks = client.startChecks(monitor.registration(), options.checkIntervalMs, {
        onReply: (o) => monitor.noteReply(o),
      });
    }
    return monitor;
  }

  get subsystem(): number {
    return this.options.subsystem;
  }

  /** The reset-path port this monitor listens on (its CHECK replyPort). */
  get replyPort(): number {
    return this.client.replyPort;
  }

  onAttention(listener: (a: AttentionBody) => void): void {
    this.client.onAttention((a) => listener(a));
  }

  /** Sends one CHECK and waits for its reply (undefined after timeoutMs). */
  async check(timeoutMs = 2000): Promise<CheckReplyBody | undefined> {
    try {
      return this.noteReply(await this.client.check(this.registration(), { timeoutMs }));
    } catch (e) {
      if (isClientError(e, "CLIENT_TIMEOUT") || isClientError(e, "CLIENT_CLOSED")) return undefined;
      throw e;
    }
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
    const waitMs = opts.resultTimeoutMs ?? 0;
    try {
      const o = await this.client.reset(target, {
        maxSends: opts.maxSends ?? RESET_MAX_SENDS,
        waitForResult: waitMs > 0,
        // The send schedule's 17.5 s, then at most resultTimeoutMs from the acceptance.
        timeoutMs: 17_500 + waitMs,
        resultTimeoutMs: waitMs,
      });
      return {
        requestId: o.requestId,
        sends: o.sends,
        ...(o.accepted ? { accepted: o.accepted } : {}),
        ...(o.result ? { result: o.result } : {}),
      };
    } catch (e) {
      if (!isClientError(e) || !["CLIENT_TIMEOUT", "CLIENT_NO_RESULT", "CLIENT_CLOSED"].includes(e.code))
        throw e;
      const d = e.details as { requestId: number; sends: number; accepted?: ResetAcceptedBody } | undefined;
      return {
        requestId: d?.requestId ?? 0,
        sends: d?.sends ?? 0,
        ...(d?.accepted ? { accepted: d.accepted } : {}),
      };
    }
  }

  async stop(): Promise<void> {
    this.stopChecks?.();
    this.client.close();
  }

  private registration(): Registration {
    const o = this.options;
    const kind = o.kind ?? "physical";
    return {
      systemName: o.systemName,
      kind,
      vmName: kind === "guest" ? (o.vmName ?? "") : "",
      pairSubsystem: o.pairSubsystem ?? 0,
      intervalSec: Math.min(3600, Math.max(1, Math.round(o.checkIntervalMs / 1000) || 1)),
    };
  }

  private noteReply(o: CheckOutcome): CheckReplyBody {
    this.lastCheckReply = o.reply;
    return o.reply;
  }
}
