// Free UDP ports on loopback addresses: one port per cluster, free on every member's address
// (the monitors of a cluster share it, as HA monitors share their reset-path port).
import { createSocket, type Socket } from "node:dgram";
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

/** A port that was free a moment ago on every one of `addresses` (all in 127.0.0.0/8). */
export async function freePortOn(addresses: string[]): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = await bind(addresses[0]!, 0);
    if (!first) break;
    const port = first.address().port;
    const rest = await Promise.all(addresses.slice(1).map((a) => bind(a, port)));
    await close([first, ...rest]);
    if (rest.every((s) => s !== undefined)) return port;
  }
  throw new LabError("LAB_START_FAILED", `no UDP port free on all of ${addresses.join(", ")}`);
}
