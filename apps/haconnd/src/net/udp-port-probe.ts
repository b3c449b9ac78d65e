// Whether a UDP address:port is already bound by another process on this host (the lab's
// loopback pair, where the "VIP" is a local address and the bind tells who serves it).

import { createSocket } from "node:dgram";

export function udpPortInUse(address: string, port: number): Promise<boolean> {
  const s = createSocket("udp4");
  return new Promise((resolve) => {
    s.once("error", () => resolve(true));
    s.bind({ port, address, exclusive: true }, () => s.close(() => resolve(false)));
  });
}
