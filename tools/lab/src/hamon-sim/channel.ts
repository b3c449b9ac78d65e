// The lab's traced reset-path socket: @haconn/client's ResetPathChannel (the one codec-on-a-
// socket of the monitor side) with the lab's network rule on every address and one printed
// line per exchange. The fake connector uses it too (answerUnsupportedVersion).
import { type Clock, type Endpoint, openUdpSocket, ResetPathChannel, systemClock } from "@haconn/client";
import {
  type DropCounters,
  type KeyRing,
  PROTOCOL_RESET_PATH,
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
  readonly clock: () => number;

  private constructor(
    /** The client-package channel underneath (HaconnClient runs on it). */
    readonly rp: ResetPathChannel,
    private readonly options: HamonSimChannelOptions,
  ) {
    this.clock = () => rp.clock.now();
    rp.onSend((m, to) => this.trace("->", to, m));
    rp.onMessage((m, from) => this.trace("<-", from, m));
  }

  static async open(options: HamonSimChannelOptions): Promise<HamonSimChannel> {
    hamonSimCheckAddress(options.bind.address, "bind address", options.inNamespace);
    const socket = await openUdpSocket(options.bind);
    const clock: Clock = options.clock ? { ...systemClock(), now: options.clock } : systemClock();
    const who = options.who;
    let self: HamonSimChannel | undefined;
    const rp = new ResetPathChannel({
      socket,
      keys: options.key,
      requireAuth: options.requireAuth,
      clock,
      onDrop: (drop, bytes, from) => {
        const reply =
          drop.reason === "unsupported-version" && options.answerUnsupportedVersion
            ? unsupportedVersionReply(bytes, PROTOCOL_RESET_PATH, clock.now())
            : undefined;
        if (reply) void self?.rp.sendRaw(from, reply).catch(() => undefined);
        options.log?.(
          `${new Date(clock.now()).toISOString()} ${who} <- ${from.address}:${from.port} DROP ${drop.reason} (${drop.detail})`,
        );
      },
    });
    self = new HamonSimChannel(rp, options);
    return self;
  }

  get drops(): DropCounters {
    return this.rp.drops;
  }

  get address(): HamonSimEndpoint {
    return this.rp.local;
  }

  onMessage(handler: HamonSimHandler): void {
    this.rp.onMessage(handler);
  }

  async send(to: HamonSimEndpoint, message: ResetPathMessage): Promise<void> {
    hamonSimCheckAddress(to.address, "destination", this.options.inNamespace);
    await this.rp.send(to, message);
  }

  /** Sends raw bytes (for fence_kdump notices and tests of malformed datagrams). */
  async sendRaw(to: HamonSimEndpoint, bytes: Uint8Array, label: string): Promise<void> {
    hamonSimCheckAddress(to.address, "destination", this.options.inNamespace);
    this.options.log?.(
      `${new Date(this.clock()).toISOString()} ${this.options.who} -> ${to.address}:${to.port} ${label} ${Buffer.from(bytes).toString("hex")}`,
    );
    await this.rp.sendRaw(to, bytes);
  }

  close(): void {
    this.rp.close();
  }

  private trace(direction: "->" | "<-", peer: Endpoint, message: ResetPathMessage): void {
    this.options.log?.(
      hamonSimTraceLine(this.clock(), this.options.who, direction, `${peer.address}:${peer.port}`, message),
    );
  }
}
