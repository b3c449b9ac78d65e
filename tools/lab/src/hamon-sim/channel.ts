// A UDP socket speaking the reset-path protocol: encodes (and signs) what it sends, decodes (and
// verifies) what it receives, counts drops, and traces every exchange.
import { createSocket, type Socket } from "node:dgram";
import {
  type AuthVerifier,
  countDrop,
  createDropCounters,
  type DropCounters,
  decodeResetPath,
  encodeResetPath,
  type KeyRing,
  PROTOCOL_RESET_PATH,
  ReplayCache,
  type ResetPathMessage,
  unsupportedVersionReply,
} from "@haconn/protocol";
import { type HamonSimEndpoint, hamonSimCheckAddress } from "./address.js";
import { type HamonSimLog, hamonSimTraceLine } from "./trace.js";

export interface HamonSimChannelOptions {
  /** Name in trace lines, e.g. "hamon[10001]". */
  who: string;
  bind: HamonSimEndpoint;
  /** Allows addresses outside 127.0.0.0/8: only inside a namespace the caller created. */
  inNamespace?: boolean;
  /** Shared key ring; without it nothing is signed and trailers are not checked. */
  key?: KeyRing;
  /** Drop unauthenticated datagrams (default: true when a key is given). */
  requireAuth?: boolean;
  log?: HamonSimLog;
  clock?: () => number;
  /** Answer frames of another version with UNSUPPORTED-VERSION (what a connector does). */
  answerUnsupportedVersion?: boolean;
}

export type HamonSimHandler = (message: ResetPathMessage, from: HamonSimEndpoint) => void;

export class HamonSimChannel {
  readonly drops: DropCounters = createDropCounters();
  private handlers: HamonSimHandler[] = [];
  private readonly verifier: AuthVerifier | undefined;
  readonly clock: () => number;

  private constructor(
    private readonly socket: Socket,
    private readonly options: HamonSimChannelOptions,
  ) {
    this.clock = options.clock ?? Date.now;
    this.verifier = options.key
      ? { keys: options.key.keys, require: options.requireAuth ?? true, replay: new ReplayCache() }
      : undefined;
    socket.on("message", (bytes, rinfo) => this.receive(bytes, { address: rinfo.address, port: rinfo.port }));
  }

  static async open(options: HamonSimChannelOptions): Promise<HamonSimChannel> {
    hamonSimCheckAddress(options.bind.address, "bind address", options.inNamespace);
    const socket = createSocket({ type: "udp4", reuseAddr: false });
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(options.bind.port, options.bind.address, () => {
        socket.off("error", reject);
        resolve();
      });
    });
    return new HamonSimChannel(socket, options);
  }

  get address(): HamonSimEndpoint {
    const a = this.socket.address();
    return { address: a.address, port: a.port };
  }

  onMessage(handler: HamonSimHandler): void {
    this.handlers.push(handler);
  }

  async send(to: HamonSimEndpoint, message: ResetPathMessage): Promise<void> {
    hamonSimCheckAddress(to.address, "destination", this.options.inNamespace);
    const bytes = encodeResetPath(message, this.options.key ? { auth: { key: this.options.key.send } } : {});
    this.trace("->", to, message);
    await new Promise<void>((resolve, reject) =>
      this.socket.send(bytes, to.port, to.address, (err) => (err ? reject(err) : resolve())),
    );
  }

  /** Sends raw bytes (for fence_kdump notices and tests of malformed datagrams). */
  async sendRaw(to: HamonSimEndpoint, bytes: Uint8Array, label: string): Promise<void> {
    hamonSimCheckAddress(to.address, "destination", this.options.inNamespace);
    this.options.log?.(
      `${new Date(this.clock()).toISOString()} ${this.options.who} -> ${to.address}:${to.port} ${label} ${Buffer.from(bytes).toString("hex")}`,
    );
    await new Promise<void>((resolve, reject) =>
      this.socket.send(bytes, to.port, to.address, (err) => (err ? reject(err) : resolve())),
    );
  }

  close(): void {
    this.handlers = [];
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }

  private receive(bytes: Buffer, from: HamonSimEndpoint): void {
    const result = decodeResetPath(bytes, { now: this.clock(), auth: this.verifier });
    if (!result.ok) {
      countDrop(this.drops, result);
      const reply =
        result.reason === "unsupported-version" && this.options.answerUnsupportedVersion
          ? unsupportedVersionReply(bytes, PROTOCOL_RESET_PATH, this.clock())
          : undefined;
      if (reply) this.socket.send(reply, from.port, from.address);
      this.options.log?.(
        `${new Date(this.clock()).toISOString()} ${this.options.who} <- ${from.address}:${from.port} DROP ${result.reason} (${result.detail})`,
      );
      return;
    }
    this.trace("<-", from, result.value);
    for (const h of this.handlers) h(result.value, from);
  }

  private trace(direction: "->" | "<-", peer: HamonSimEndpoint, message: ResetPathMessage): void {
    this.options.log?.(
      hamonSimTraceLine(this.clock(), this.options.who, direction, `${peer.address}:${peer.port}`, message),
    );
  }
}
