// The reset-path UDP sockets of the active node: the configured VIP and port, and the
// fence_kdump port. Decoding never throws: every dropped datagram is counted by reason, and a
// rate-limited line says so (at most one per reason per source per minute, 60 a minute in all,
// in a fixed-size table: no memory per attacker address). Refusals the service decides
// (unknown requester, unknown system, slot held, ...) are counted and logged the same way.
//
// Replay across restarts: the verifier refuses signed frames timestamped before this socket
// opened (`notBeforeMs`), so a capture from before a restart or a takeover cannot be replayed
// into the fresh, empty replay cache. A per-key high-water mark would not do: every monitor of
// a cluster signs with the same key, each with its own clock.

import { createSocket, type Socket } from "node:dgram";
import { literalLookup } from "../net/literal-lookup.js";
import { logLimit, replyLimit, type WindowLimit } from "./rate-limit.js";
import {
  type AuthVerifier,
  countDrop,
  createDropCounters,
  type DropCounters,
  decodeFenceKdump,
  decodeResetPath,
  encodeResetPath,
  type KeyRing,
  PROTOCOL_RESET_PATH,
  ReplayCache,
  type ResetPathMessage,
  unsupportedVersionReply,
} from "@haconn/protocol";

export interface Peer {
  addr: string;
  port: number;
}

export interface ResetPathSocketOptions {
  addr: string;
  port: number;
  /** fence_kdump notices; null = not listened to. */
  kdumpPort: number | null;
  key?: KeyRing;
  now: () => number;
  onMessage(message: ResetPathMessage, from: Peer): void;
  onKdump(from: Peer): void;
  /** Rate-limited report of drops and refusals (at most one line per reason per source per minute). */
  onDrop?(reason: string, from: Peer, total: number): void;
}

/** Why the service refused a datagram that decoded (counted next to the drop reasons). */
export const REFUSAL_REASONS = [
  /** RESET from a sender that is not a registered monitor at its registered address. */
  "unknown-requester",
  /** DUMP-NOTICE or fence_kdump notice that matches no system registered from that address. */
  "unknown-system",
  /** CHECK refused (unknown system, limits, slot held by a live registration). */
  "check-refused",
  /** Notices (fence_kdump, new DUMP-NOTICEs) from one registration faster than one a second. */
  "notice-rate",
  /** CHECK from an address off the system's allow-list (haconnsetup hamonitor allow=). */
  "not-allowed",
  /** ATTENTION-ACK / RESULT-ACK that matches no copy sent to that monitor. */
  "unmatched-ack",
  /** A well-formed frame of a connector-only type sent to the connector (ignored). */
  "wrong-direction",
  /** A stateless answer (or UNSUPPORTED-VERSION) not sent: its per-source limit was reached. */
  "reply-limited",
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];
export type RefusalCounters = Record<RefusalReason, number>;

function bind(socket: Socket, port: number, addr: string): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind({ port, address: addr, exclusive: true }, () => {
      socket.off("error", reject);
      resolve();
    });
  });
}

export class ResetPathSocket {
  readonly drops: DropCounters = createDropCounters();
  /** fence_kdump socket drops, by their own reasons (short, trailing-bytes, bad-magic, unsupported-version). */
  readonly kdumpDrops: DropCounters = createDropCounters();
  readonly refused: RefusalCounters = Object.fromEntries(
    REFUSAL_REASONS.map((r) => [r, 0]),
  ) as RefusalCounters;
  /** One limiter per reason (a fixed set): a flood of one reason never hides another's lines. */
  private readonly logs = new Map<string, WindowLimit>();
  private readonly replies = replyLimit();
  private readonly verifier: AuthVerifier | undefined;
  /** Signed frames older than this are refused (replay across restarts). */
  readonly openedAt: number;

  private constructor(
    private readonly main: Socket,
    private readonly kdump: Socket | undefined,
    private readonly options: ResetPathSocketOptions,
  ) {
    this.openedAt = options.now();
    this.verifier = options.key
      ? { keys: options.key.keys, require: true, replay: new ReplayCache(), notBeforeMs: this.openedAt }
      : undefined;
    main.on("message", (bytes, r) => this.receive(bytes, { addr: r.address, port: r.port }));
    kdump?.on("message", (bytes, r) => {
      const from = { addr: r.address, port: r.port };
      const d = decodeFenceKdump(bytes);
      if (d.ok) options.onKdump(from);
      else {
        countDrop(this.kdumpDrops, d);
        this.log(`kdump ${d.reason}`, from, this.kdumpDrops[d.reason]);
      }
    });
  }

  static async open(options: ResetPathSocketOptions): Promise<ResetPathSocket> {
    // A burst (hundreds of CHECKs while many resets spawn ipmitool) must wait in the kernel, not
    // be dropped there: 4 MiB instead of the ~208 KiB default (capped by net.core.rmem_max).
    // literalLookup: each datagram of a step leaves as soon as it is encoded (see there).
    const main = createSocket({ type: "udp4", recvBufferSize: 4 * 1024 * 1024, lookup: literalLookup });
    await bind(main, options.port, options.addr);
    main.setBroadcast(true);
    let kdump: Socket | undefined;
    if (options.kdumpPort !== null) {
      kdump = createSocket({ type: "udp4", recvBufferSize: 1024 * 1024 });
      try {
        await bind(kdump, options.kdumpPort, options.addr);
      } catch (error) {
        main.close();
        throw error;
      }
    }
    return new ResetPathSocket(main, kdump, options);
  }

  private receive(bytes: Buffer, from: Peer): void {
    const decoded = decodeResetPath(bytes, {
      now: this.options.now(),
      ...(this.verifier ? { auth: this.verifier } : {}),
    });
    if (decoded.ok) {
      this.options.onMessage(decoded.value, from);
      return;
    }
    countDrop(this.drops, decoded);
    this.log(decoded.reason, from, this.drops[decoded.reason]);
    // Only a frame dropped for its version is answered (never `too-long` or anything else), at
    // most a few times per second per source (docs/protocol.md §3.4).
    if (decoded.reason !== "unsupported-version") return;
    const reply = unsupportedVersionReply(bytes, PROTOCOL_RESET_PATH, this.options.now());
    if (reply && this.mayAnswer(from)) this.main.send(reply, from.port, from.addr);
  }

  /** One log line per reason per source per minute (bounded table), 60 a minute per reason. */
  private log(reason: string, from: Peer, total: number): void {
    let limit = this.logs.get(reason);
    if (!limit) {
      limit = logLimit();
      this.logs.set(reason, limit);
    }
    if (limit.allow(from.addr, this.options.now())) this.options.onDrop?.(reason, from, total);
  }

  /** Counts a refusal the service decided and logs it, rate-limited like a drop. */
  refuse(reason: RefusalReason, from: Peer): void {
    this.refused[reason] += 1;
    this.log(reason, from, this.refused[reason]);
  }

  /**
   * May a stateless answer go to `from` now? (At most 2 per source address and port per second,
   * 512 a second in all.) Keyed by address *and* port: one host may run several HA monitors (one
   * per cluster port), each checking every second; the global budget bounds a sender that
   * varies its port. A refused one is counted `reply-limited`.
   */
  mayAnswer(from: Peer): boolean {
    if (this.replies.allow(`${from.addr}:${from.port}`, this.options.now())) return true;
    this.refuse("reply-limited", from);
    return false;
  }

  /** Key mode: every datagram accepted carried a verified trailer. */
  get signed(): boolean {
    return this.verifier !== undefined;
  }

  /** Sizes of the bounded tables (for dumpState: they never grow past their capacity). */
  stats() {
    return {
      openedAt: this.openedAt,
      drops: this.drops,
      kdumpDrops: this.kdumpDrops,
      refused: this.refused,
      replayCache: this.verifier?.replay.size ?? 0,
      logLimiter: Object.fromEntries(
        [...this.logs].map(([reason, l]) => [
          reason,
          { used: l.used, capacity: l.capacity, suppressed: l.suppressed },
        ]),
      ),
      replyLimiter: { used: this.replies.used, capacity: this.replies.capacity },
    };
  }

  send(to: Peer, message: ResetPathMessage): void {
    const bytes = encodeResetPath(message, this.options.key ? { auth: { key: this.options.key.send } } : {});
    this.main.send(bytes, to.port, to.addr);
  }

  close(): void {
    for (const s of [this.main, this.kdump]) {
      try {
        s?.close();
      } catch {
        // already closed
      }
    }
  }
}
