// A datagram socket speaking the reset path: encodes (and signs) what it sends, decodes (and
// verifies) what it receives with packages/protocol, counts drops. Decoding never throws: a bad
// datagram is counted and reported to onDrop, nothing else.
import {
  type AuthVerifier,
  countDrop,
  createDropCounters,
  type Drop,
  type DropCounters,
  decodeResetPath,
  encodeResetPath,
  type KeyRing,
  ReplayCache,
  type ResetPathMessage,
} from "@haconn/protocol";
import { type Clock, systemClock } from "./clock.js";
import type { Endpoint } from "./endpoint.js";
import type { DatagramSocket } from "./udp-socket.js";

export interface ResetPathChannelOptions {
  socket: DatagramSocket;
  /** Sign every frame with `keys.send`; accept frames signed with any of `keys.keys`. */
  keys?: KeyRing;
  /** Drop unsigned datagrams (default: true when keys are given). */
  requireAuth?: boolean;
  clock?: Clock;
  /** Every dropped datagram (counted in `drops` already). */
  onDrop?: (drop: Drop, bytes: Uint8Array, from: Endpoint) => void;
}

export type MessageHandler = (message: ResetPathMessage, from: Endpoint) => void;

export class ResetPathChannel {
  readonly drops: DropCounters = createDropCounters();
  readonly clock: Clock;
  private readonly verifier: AuthVerifier | undefined;
  private readonly receivers = new Set<MessageHandler>();
  private readonly senders = new Set<MessageHandler>();

  constructor(private readonly options: ResetPathChannelOptions) {
    this.clock = options.clock ?? systemClock();
    this.verifier = options.keys
      ? { keys: options.keys.keys, require: options.requireAuth ?? true, replay: new ReplayCache() }
      : undefined;
    options.socket.onDatagram((bytes, from) => this.receive(bytes, from));
  }

  get local(): Endpoint {
    return this.options.socket.local;
  }

  /** True when frames are signed. */
  get signing(): boolean {
    return this.options.keys !== undefined;
  }

  /** Calls `handler` for every valid message received; returns the unsubscribe function. */
  onMessage(handler: MessageHandler): () => void {
    this.receivers.add(handler);
    return () => this.receivers.delete(handler);
  }

  /** Calls `handler` for every message sent (before it goes out); returns the unsubscribe function. */
  onSend(handler: MessageHandler): () => void {
    this.senders.add(handler);
    return () => this.senders.delete(handler);
  }

  /** Encodes (signs) and sends one message. Rejects with CLIENT_SOCKET / CLIENT_CLOSED. */
  send(to: Endpoint, message: ResetPathMessage): Promise<void> {
    const keys = this.options.keys;
    const bytes = encodeResetPath(message, keys ? { auth: { key: keys.send } } : {});
    for (const h of this.senders) h(message, to);
    return this.options.socket.send(bytes, to);
  }

  /** Sends bytes as they are (tests of malformed datagrams, UNSUPPORTED-VERSION answers). */
  sendRaw(to: Endpoint, bytes: Uint8Array): Promise<void> {
    return this.options.socket.send(bytes, to);
  }

  close(): void {
    this.receivers.clear();
    this.senders.clear();
    this.options.socket.close();
  }

  private receive(bytes: Uint8Array, from: Endpoint): void {
    const result = decodeResetPath(bytes, { now: this.clock.now(), auth: this.verifier });
    if (!result.ok) {
      countDrop(this.drops, result);
      this.options.onDrop?.(result, bytes, from);
      return;
    }
    for (const h of [...this.receivers]) h(result.value, from);
  }
}
