// In-memory datagram sockets for unit tests of code built on @haconn/client: datagrams are
// delivered in a microtask (no timers, so a simulated clock stays in charge), optionally
// dropped by a filter to simulate loss.
import type { Endpoint } from "../endpoint.js";
import type { DatagramSocket } from "../udp-socket.js";

export type DatagramFilter = (bytes: Uint8Array, from: Endpoint, to: Endpoint) => boolean;

export class MemoryNetwork {
  private readonly sockets = new Map<string, MemorySocket>();
  private nextPort = 40000;
  /** Return false to drop a datagram (loss). */
  filter: DatagramFilter | undefined;
  /** Every datagram sent, delivered or not. */
  readonly sent: { bytes: Uint8Array; from: Endpoint; to: Endpoint }[] = [];

  /** A socket bound to address:port (port 0: the next free one). */
  socket(address = "127.0.0.1", port = 0): MemorySocket {
    const local = { address, port: port || this.nextPort++ };
    const key = `${local.address}:${local.port}`;
    if (this.sockets.has(key)) throw new Error(`${key} is in use`);
    const s = new MemorySocket(this, local, () => this.sockets.delete(key));
    this.sockets.set(key, s);
    return s;
  }

  deliver(bytes: Uint8Array, from: Endpoint, to: Endpoint): void {
    this.sent.push({ bytes, from, to });
    if (this.filter && !this.filter(bytes, from, to)) return;
    const target = this.sockets.get(`${to.address}:${to.port}`);
    if (target) queueMicrotask(() => target.receive(bytes, from));
  }
}

export class MemorySocket implements DatagramSocket {
  private handler: ((bytes: Uint8Array, from: Endpoint) => void) | undefined;
  private closed = false;
  constructor(
    private readonly net: MemoryNetwork,
    readonly local: Endpoint,
    private readonly onClose: () => void,
  ) {}
  send(bytes: Uint8Array, to: Endpoint): Promise<void> {
    if (this.closed) return Promise.reject(new Error("socket closed"));
    this.net.deliver(bytes, this.local, to);
    return Promise.resolve();
  }
  onDatagram(handler: (bytes: Uint8Array, from: Endpoint) => void): void {
    this.handler = handler;
  }
  receive(bytes: Uint8Array, from: Endpoint): void {
    if (!this.closed) this.handler?.(bytes, from);
  }
  close(): void {
    this.closed = true;
    this.onClose();
  }
}
