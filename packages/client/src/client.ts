// HaconnClient: the monitor / fencing-client side of the reset path (ARCHITECTURE example 11).
// One socket = one reset-path port: CHECK registers it (replyPort), RESET and DUMP-NOTICE go
// out from it, ATTENTION arrives on it. The client acknowledges on its own, as the protocol
// requires: RESULT-ACK for every RESET-RESULT copy of its own RESETs, ATTENTION-ACK for every
// ATTENTION copy (listeners hear each eventId once, 10 minutes' memory).
import { randomInt } from "node:crypto";
import type {
  AttentionBody,
  AuthInfo,
  CheckReplyBody,
  Drop,
  Header,
  KeyRing,
  ResetPathMessage,
  SystemKind,
} from "@haconn/protocol";
import { ResetPathChannel } from "./channel.js";
import { type Clock, systemClock } from "./clock.js";
import {
  type DumpNotice,
  type DumpNoticeOptions,
  type DumpNoticeOutcome,
  runDumpNotice,
} from "./dump-notice.js";
import { checkEndpoint, checkName, checkSubsystem, type Endpoint, formatEndpoint } from "./endpoint.js";
import { ClientError } from "./errors.js";
import type { Exchange, Subscription } from "./exchange.js";
import { Mailbox } from "./mailbox.js";
import { RecentIds } from "./recent-ids.js";
import { type ResetOptions, type ResetOutcome, type ResetTarget, runReset, unsupported } from "./reset.js";
import { type DatagramSocket, openUdpSocket } from "./udp-socket.js";

export const DEFAULT_CHECK_TIMEOUT_MS = 2000;

export interface ClientOptions {
  /** The connector's reset-path address (the VIP) and port. */
  connector: Endpoint;
  /** Our subsystem number (senderId): the HA monitor's, or the stopped system's for a dump notice. */
  subsystem: number;
  /** Sign with `keys.send`, accept replies signed with any key of the ring (see loadKeyFile). */
  keys?: KeyRing;
  /** Drop unsigned replies (default: true when keys are given). */
  requireAuth?: boolean;
  clock?: Clock;
  /** Request ids (default: random start, +1 each). */
  nextRequestId?: () => number;
  /** Every dropped datagram (already counted in `client.drops`). */
  onDrop?: (drop: Drop, from: Endpoint) => void;
}

export interface OpenClientOptions extends ClientOptions {
  /** Local address and port = our reset-path port (default 0.0.0.0, any free port). */
  bind?: Endpoint;
}

/** What CHECK registers: the HA monitor's identity (docs/protocol.md §4.1). */
export interface Registration {
  /** The system name as the connector knows it (HA Monitor's partition name). */
  systemName: string;
  kind?: SystemKind;
  /** Guests only: the VM name. */
  vmName?: string;
  /** The monitoring pair's subsystem, 0 or absent = none. */
  pairSubsystem?: number;
  /** Our CHECK period in seconds, 1..3600 (default 10); the connector deems us silent after 3. */
  intervalSec?: number;
}

export interface CheckOutcome {
  requestId: number;
  reply: CheckReplyBody;
  /** No blocker set: the connector can reset this system now. */
  resettable: boolean;
  /** No redundancy warning (KAMN655-W) set. */
  redundant: boolean;
  from: Endpoint;
  rttMs: number;
}

export interface AttentionInfo {
  from: Endpoint;
  requestId: number;
  auth?: AuthInfo;
}

export type AttentionListener = (attention: AttentionBody, info: AttentionInfo) => void;

export class HaconnClient implements Exchange {
  readonly clock: Clock;
  readonly connector: Endpoint;
  readonly subsystem: number;
  /** The last CHECK answered. */
  lastCheck: CheckOutcome | undefined;
  private readonly events = new RecentIds();
  private readonly ownResets = new RecentIds();
  private readonly listeners = new Set<AttentionListener>();
  private readonly boxes = new Set<Mailbox<unknown>>();
  private readonly stops = new Set<() => void>();
  private readonly nextId: () => number;
  private closed = false;

  /** Opens a UDP socket and a client on it. */
  static async open(options: OpenClientOptions): Promise<HaconnClient> {
    checkEndpoint(options.connector, "connector");
    checkSubsystem(options.subsystem, "subsystem");
    const socket = await openUdpSocket(options.bind);
    return HaconnClient.onSocket(socket, options);
  }

  /** A client on a given socket (tests: "@haconn/client/test" memory sockets). */
  static onSocket(socket: DatagramSocket, options: ClientOptions): HaconnClient {
    const channel = new ResetPathChannel({
      socket,
      keys: options.keys,
      requireAuth: options.requireAuth,
      clock: options.clock,
      onDrop: options.onDrop && ((d, _b, from) => options.onDrop!(d, from)),
    });
    return new HaconnClient(channel, options);
  }

  /** A client on an existing channel (the lab's traced channel); the client owns it from now on. */
  constructor(
    readonly channel: ResetPathChannel,
    options: Omit<ClientOptions, "keys" | "requireAuth" | "onDrop">,
  ) {
    this.connector = checkEndpoint(options.connector, "connector");
    this.subsystem = checkSubsystem(options.subsystem, "subsystem");
    this.clock = options.clock ?? channel.clock ?? systemClock();
    let id = randomInt(1, 0x7fff_ffff);
    this.nextId = options.nextRequestId ?? (() => (id = (id + 1) >>> 0 || 1));
    channel.onSend((m) => {
      if (m.type === "reset") this.ownResets.add(m.header.requestId, this.clock.now());
    });
    channel.onMessage((m, from) => this.receive(m, from));
  }

  /** Our reset-path port (CHECK replyPort, RESET clusterPort). */
  get replyPort(): number {
    return this.channel.local.port;
  }

  get local(): Endpoint {
    return this.channel.local;
  }

  /** Datagrams dropped, by reason (bad MAC, stale, unauthenticated...). */
  get drops() {
    return this.channel.drops;
  }

  /** Hears each ATTENTION once (the client acknowledges every copy); returns the unsubscribe function. */
  onAttention(listener: AttentionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sends one CHECK (it is never retransmitted) and waits for its CHECK-REPLY; CLIENT_TIMEOUT after timeoutMs. */
  async check(
    reg: Registration,
    options: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<CheckOutcome> {
    const kind = reg.kind ?? "physical";
    checkName(reg.systemName, "system name");
    if (kind === "guest") checkName(reg.vmName ?? "", "VM name");
    const timeoutMs = options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
    const requestId = this.newRequestId();
    const sub = this.subscribe((m, from) =>
      m.header.requestId === requestId && (m.type === "check-reply" || m.type === "unsupported-version")
        ? { m, from }
        : undefined,
    );
    const sent = this.clock.now();
    try {
      await this.send({
        type: "check",
        header: this.header(requestId, 0),
        body: {
          replyPort: this.replyPort,
          kind,
          intervalSec: reg.intervalSec ?? 10,
          pairSubsystem: reg.pairSubsystem ?? 0,
          systemName: reg.systemName,
          vmName: kind === "guest" ? (reg.vmName ?? "") : "",
        },
      });
      const got = await sub.box.take(timeoutMs, options.signal);
      if (!got) {
        throw new ClientError(
          "CLIENT_TIMEOUT",
          `no CHECK-REPLY from the connector at ${formatEndpoint(this.connector)} within ${timeoutMs} ms`,
          { details: { requestId, timeoutMs } },
        );
      }
      if (got.m.type === "unsupported-version") throw unsupported(this, got.m.body);
      if (got.m.type !== "check-reply") throw new Error("unreachable");
      const reply = got.m.body;
      const outcome: CheckOutcome = {
        requestId,
        reply,
        resettable: !Object.values(reply.blockers).some(Boolean),
        redundant: !Object.values(reply.redundancy).some(Boolean),
        from: got.from,
        rttMs: this.clock.now() - sent,
      };
      this.lastCheck = outcome;
      return outcome;
    } finally {
      sub.dispose();
    }
  }

  /**
   * Sends a CHECK now and every intervalMs (HA Monitor's period), each with a new requestId;
   * errors (a silent connector) go to onError. Returns the stop function (close() stops it too).
   */
  startChecks(
    reg: Registration,
    intervalMs: number,
    handlers: { onReply?: (o: CheckOutcome) => void; onError?: (e: unknown) => void } = {},
  ): () => void {
    let timer: unknown;
    let stopped = false;
    const tick = () => {
      if (stopped) return;
      timer = this.clock.setTimeout(tick, intervalMs);
      this.check(
        { intervalSec: Math.min(3600, Math.max(1, Math.round(intervalMs / 1000))), ...reg },
        {
          timeoutMs: Math.min(intervalMs, DEFAULT_CHECK_TIMEOUT_MS),
        },
      ).then(
        (o) => handlers.onReply?.(o),
        (e) => !stopped && handlers.onError?.(e),
      );
    };
    const stop = () => {
      stopped = true;
      this.clock.clearTimeout(timer);
      this.stops.delete(stop);
    };
    this.stops.add(stop);
    tick();
    return stop;
  }

  /** Asks for a reset of `target` and waits for its result (reset.ts); throws ClientError on silence. */
  reset(target: ResetTarget, options: ResetOptions = {}): Promise<ResetOutcome> {
    return runReset(this, target, options, (subsystem, clusterPort, seen) =>
      this.onAttention((a) => {
        if (a.targetSubsystem === subsystem && a.clusterPort === clusterPort) seen(a);
      }),
    );
  }

  /** Notifier rule 2: DUMP-NOTICE every 500 ms until DUMP-ACK `accepted`, while the dump runs. */
  dumpNotice(notice: DumpNotice = {}, options: DumpNoticeOptions = {}): Promise<DumpNoticeOutcome> {
    return runDumpNotice(this, notice, options);
  }

  /** Stops periodic CHECKs, fails every pending call with CLIENT_CLOSED, closes the socket. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const stop of [...this.stops]) stop();
    const error = new ClientError("CLIENT_CLOSED", "the client was closed");
    for (const box of this.boxes) box.fail(error);
    this.listeners.clear();
    this.channel.close();
  }

  // --- Exchange (used by reset.ts and dump-notice.ts) ---

  newRequestId(): number {
    return this.nextId();
  }

  header(requestId: number, attempt: number): Header {
    return { requestId, senderId: this.subsystem, timestampMs: Math.floor(this.clock.now()), attempt };
  }

  subscribe<T>(pick: (message: ResetPathMessage, from: Endpoint) => T | undefined): Subscription<T> {
    const box = new Mailbox<T>(this.clock);
    if (this.closed) box.fail(new ClientError("CLIENT_CLOSED", "the client is closed"));
    this.boxes.add(box as Mailbox<unknown>);
    const off = this.channel.onMessage((m, from) => {
      const v = pick(m, from);
      if (v !== undefined) box.put(v);
    });
    return {
      box,
      dispose: () => {
        off();
        this.boxes.delete(box as Mailbox<unknown>);
      },
    };
  }

  send(message: ResetPathMessage): Promise<void> {
    if (this.closed) return Promise.reject(new ClientError("CLIENT_CLOSED", "the client is closed"));
    return this.channel.send(this.connector, message);
  }

  private receive(m: ResetPathMessage, from: Endpoint): void {
    const now = this.clock.now();
    if (m.type === "attention") {
      // Every copy is acknowledged, duplicates included, to where it came from (§6).
      void this.channel
        .send(from, {
          type: "attention-ack",
          header: this.header(m.header.requestId, 0),
          body: { eventId: m.body.eventId },
        })
        .catch(() => undefined);
      if (!this.events.add(m.body.eventId, now)) return;
      const info: AttentionInfo = {
        from,
        requestId: m.header.requestId,
        ...(m.auth ? { auth: m.auth } : {}),
      };
      for (const l of [...this.listeners]) l(m.body, info);
      return;
    }
    if (m.type === "reset-result" && this.ownResets.has(m.header.requestId, now)) {
      void this.channel
        .send(from, {
          type: "result-ack",
          header: this.header(m.header.requestId, 0),
          body: { targetSubsystem: m.body.targetSubsystem },
        })
        .catch(() => undefined);
    }
  }
}
