// A lossy UDP relay between one HA monitor and the connector, for reset-path packet loss where
// the kernel has no netem (`tc qdisc add … netem`: "Specified qdisc kind is unknown").
//
//   monitor (A:P) ──► listen (R:Rp) ──[drop/dup/delay]──► outward (O:P) ──► connector
//   monitor (A:P) ◄── listen (R:Rp) ◄──[drop/dup/delay]── outward (O:P) ◄── connector
//
// The outward socket binds the monitor's own port P on another loopback address O, so the
// connector registers the monitor as O:P and sends CHECK-REPLY, RESET-RESULT and ATTENTION there;
// the relay carries them back. Every decision comes from a seeded PRNG. Loopback only.

import { createSocket, type Socket } from "node:dgram";
import { between, type Random, seededRandom } from "./prng.js";

export interface Endpoint {
  address: string;
  port: number;
}

export interface LossyRelayOptions {
  /** Where the monitor sends (its "connector" address). Port 0 = any free port. */
  listen: Endpoint;
  /** The real connector. */
  upstream: Endpoint;
  /** Address the connector sees; its port is chosen free (use it as the monitor's port). */
  outwardAddress: string;
  /**
   * Port the connector sees (default: any free one). Monitors of one cluster share a reset-path
   * port, so relays of one cluster's monitors use the same outward port on different addresses.
   */
  outwardPort?: number;
  /** Probability of dropping a datagram, each direction (0..1). */
  loss: number;
  /** Probability of sending a datagram twice. */
  duplicate?: number;
  /** Delay range in ms (uniform); reorders when the range is wide. */
  delayMs?: [number, number];
  seed: number;
}

export interface RelayDirectionStats {
  received: number;
  dropped: number;
  duplicated: number;
  forwarded: number;
}

export interface LossyRelayStats {
  toConnector: RelayDirectionStats;
  toMonitor: RelayDirectionStats;
}

function loopback(address: string, what: string): void {
  if (!address.startsWith("127.")) throw new Error(`${what} ${address} is not a loopback address`);
}

function bindSocket(endpoint: Endpoint): Promise<Socket> {
  const socket = createSocket("udp4");
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(endpoint.port, endpoint.address, () => {
      socket.off("error", reject);
      resolve(socket);
    });
  });
}

const emptyStats = (): RelayDirectionStats => ({ received: 0, dropped: 0, duplicated: 0, forwarded: 0 });

export class LossyRelay {
  readonly stats: LossyRelayStats = { toConnector: emptyStats(), toMonitor: emptyStats() };
  private client: Endpoint | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  private constructor(
    private readonly inner: Socket,
    private readonly outer: Socket,
    private readonly options: LossyRelayOptions,
    private readonly random: Random,
  ) {
    inner.on("message", (bytes, r) => {
      this.client = { address: r.address, port: r.port };
      this.pass(bytes, this.stats.toConnector, outer, options.upstream);
    });
    outer.on("message", (bytes) => {
      if (this.client) this.pass(bytes, this.stats.toMonitor, inner, this.client);
    });
    for (const s of [inner, outer]) s.on("error", () => undefined);
  }

  static async start(options: LossyRelayOptions): Promise<LossyRelay> {
    loopback(options.listen.address, "listen");
    loopback(options.upstream.address, "upstream");
    loopback(options.outwardAddress, "outward");
    const inner = await bindSocket(options.listen);
    const outer = await bindSocket({ address: options.outwardAddress, port: options.outwardPort ?? 0 }).catch(
      (e) => {
        inner.close();
        throw e;
      },
    );
    return new LossyRelay(inner, outer, options, seededRandom(options.seed));
  }

  /** Where the monitor must send. */
  get listen(): Endpoint {
    const a = this.inner.address();
    return { address: a.address, port: a.port };
  }

  /** The address and port the connector sees; bind the monitor on this port. */
  get outward(): Endpoint {
    const a = this.outer.address();
    return { address: a.address, port: a.port };
  }

  /** Changes the loss rate (e.g. 0 to heal the path). */
  setLoss(loss: number): void {
    this.options.loss = loss;
  }

  private pass(bytes: Buffer, stats: RelayDirectionStats, via: Socket, to: Endpoint): void {
    stats.received += 1;
    if (this.random() < this.options.loss) {
      stats.dropped += 1;
      return;
    }
    const copies = this.random() < (this.options.duplicate ?? 0) ? 2 : 1;
    if (copies === 2) stats.duplicated += 1;
    const [min, max] = this.options.delayMs ?? [0, 0];
    for (let i = 0; i < copies; i++) {
      const delay = max > 0 ? between(this.random, min, max) : 0;
      const send = () => {
        if (this.closed) return;
        stats.forwarded += 1;
        via.send(bytes, to.port, to.address);
      };
      if (delay === 0) send();
      else {
        const t = setTimeout(() => {
          this.timers.delete(t);
          send();
        }, delay);
        this.timers.add(t);
      }
    }
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const s of [this.inner, this.outer]) {
      try {
        s.close();
      } catch {
        // already closed
      }
    }
  }
}
