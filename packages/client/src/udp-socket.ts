// The one thing the client needs from the network: send a datagram, receive datagrams. A real
// UDP socket here; an in-memory pair in "@haconn/client/test" for unit tests.
import { createSocket, type Socket } from "node:dgram";
import { checkEndpoint, type Endpoint, formatEndpoint } from "./endpoint.js";
import { ClientError } from "./errors.js";

export interface DatagramSocket {
  /** The bound address and port (the port is the monitor's reset-path port, CHECK replyPort). */
  readonly local: Endpoint;
  send(bytes: Uint8Array, to: Endpoint): Promise<void>;
  /** Registers the receiver (one per socket: the channel). */
  onDatagram(handler: (bytes: Uint8Array, from: Endpoint) => void): void;
  close(): void;
}

/** Binds a UDP socket to `bind` (port 0: any free port). Throws CLIENT_SOCKET when it cannot. */
export async function openUdpSocket(
  bind: Endpoint = { address: "0.0.0.0", port: 0 },
): Promise<DatagramSocket> {
  checkEndpoint(bind, "bind address", 0);
  const socket = createSocket({ type: "udp4", reuseAddr: false });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(bind.port, bind.address, () => {
        socket.off("error", reject);
        resolve();
      });
    });
  } catch (cause) {
    socket.close();
    const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new ClientError("CLIENT_SOCKET", `cannot bind ${formatEndpoint(bind)}: ${code}`, { cause });
  }
  // After the bind, an error (e.g. ICMP noise) must never crash the process: sends report theirs.
  socket.on("error", () => undefined);
  return new UdpSocket(socket);
}

class UdpSocket implements DatagramSocket {
  readonly local: Endpoint;
  private closed = false;
  constructor(private readonly socket: Socket) {
    const a = socket.address();
    this.local = { address: a.address, port: a.port };
  }
  send(bytes: Uint8Array, to: Endpoint): Promise<void> {
    if (this.closed) return Promise.reject(new ClientError("CLIENT_CLOSED", "the client is closed"));
    return new Promise((resolve, reject) =>
      this.socket.send(bytes, to.port, to.address, (err) =>
        err
          ? reject(
              new ClientError("CLIENT_SOCKET", `cannot send to ${formatEndpoint(to)}: ${err.message}`, {
                cause: err,
              }),
            )
          : resolve(),
      ),
    );
  }
  onDatagram(handler: (bytes: Uint8Array, from: Endpoint) => void): void {
    this.socket.on("message", (bytes, rinfo) => handler(bytes, { address: rinfo.address, port: rinfo.port }));
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }
}
