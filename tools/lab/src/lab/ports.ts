// Free UDP ports on loopback addresses: one port per cluster, free on every member's address
// (the monitors of a cluster share it, as HA monitors share their reset-path port).
import { createSocket, type Socket } from "node:dgram";
import { createServer } from "node:net";
import { LabError } from "./errors.js";

async function bind(address: string, port: number): Promise<Socket | undefined> {
  const s = createSocket({ type: "udp4", reuseAddr: false });
  return new Promise((resolve) => {
    s.once("error", () => {
      s.close();
      resolve(undefined);
    });
    s.bind(port, address, () => resolve(s));
  });
}

async function close(sockets: (Socket | undefined)[]): Promise<void> {
  await Promise.all(
    sockets.map((s) => (s ? new Promise<void>((resolve) => s.close(() => resolve())) : undefined)),
  );
}

function tcpFree(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen({ port, host: address, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/**
 * A port that was free a moment ago on every one of `addresses` (all in 127.0.0.0/8), for UDP
 * and, with `tcp`, for TCP too (the duplex LAN uses both on one port).
 */
export async function freePortOn(addresses: string[], options: { tcp?: boolean } = {}): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = await bind(addresses[0]!, 0);
    if (!first) break;
    const port = first.address().port;
    const rest = await Promise.all(addresses.slice(1).map((a) => bind(a, port)));
    await close([first, ...rest]);
    if (!rest.every((s) => s !== undefined)) continue;
    if (options.tcp && !(await Promise.all(addresses.map((a) => tcpFree(a, port)))).every(Boolean)) continue;
    return port;
  }
  throw new LabError("LAB_START_FAILED", `no UDP port free on all of ${addresses.join(", ")}`);
}
