// The reset-path UDP sockets of the active node: the configured VIP and port, and the
// fence_kdump port. Decoding never throws: every dropped datagram is counted by reason, and a
// rate-limited line says so. Sending repeats a message until acknowledged or the bound is hit.

import { createSocket, type Socket } from "node:dgram";
import { literalLookup } from "../net/literal-lookup.js";
import {
  type AuthVerifier,
  countDrop,
  createDropCounters,
  type DropCounters,
  decodeFenceKdump,
  decodeResetPath,
  encodeResetPath,
  type DropReason,
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
  /** Rate-limited report of drops (at most one line per reason per minute). */
  onDrop?(reason: string, from: Peer, total: number): void;
}

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
  private readonly lastDropLog = new Map<string, number>();
  private readonly verifier: AuthVerifier | undefined;

  private constructor(
    private readonly main: Socket,
    private readonly kdump: Socket | undefined,
    private readonly options: ResetPathSocketOptions,
  ) {
    this.verifier = options.key
      ? { keys: options.key.keys, require: true, replay: new ReplayCache() }
      : undefined;
    main.on("message", (bytes, r) => this.receive(bytes, { addr: r.address, port: r.port }));
    kdump?.on("message", (bytes, r) => {
      const from = { addr: r.address, port: r.port };
      if (decodeFenceKdump(bytes).ok) options.onKdump(from);
      else this.drop("bad-body", from);
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
      kdump = createSocket({ type: "udp4" });
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
    this.drop(decoded.reason, from);
    const reply = unsupportedVersionReply(bytes, PROTOCOL_RESET_PATH, this.options.now());
    if (reply) this.main.send(reply, from.port, from.addr);
  }

  private drop(reason: DropReason, from: Peer): void {
    countDrop(this.drops, { ok: false, reason, detail: "" });
    const now = this.options.now();
    if (now - (this.lastDropLog.get(reason) ?? -Infinity) >= 60_000) {
      this.lastDropLog.set(reason, now);
      this.options.onDrop?.(reason, from, this.drops[reason]);
    }
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
