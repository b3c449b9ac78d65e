// Background load for the engine bench, in a worker thread (its own event loop, as remote HA
// monitors would be): the 240 guest monitors, in clusters of 15 (one loopback address and one
// socket per virtual server, the socket's port being the cluster port), each sending CHECK
// once a second, spread evenly over the second. The datagrams are encoded in the main thread
// (the worker is plain JS evaluated from a string, so the bench stays one file per entry).

import { Worker } from "node:worker_threads";
import { encodeResetPath } from "@haconn/protocol";
import { GUESTS_PER_VIRTUAL, guestName, guestSubsystem, VIRTUAL, virtualName } from "./engine-config.js";
import type { Endpoint } from "./engine-cluster.js";

const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const dgram = require("node:dgram");
const sockets = [];
let sent = 0, received = 0, timer, stopped = false;
(async () => {
  for (const addr of workerData.addrs) {
    const s = dgram.createSocket("udp4");
    await new Promise((r, j) => { s.once("error", j); s.bind({ address: addr, port: 0 }, r); });
    s.on("message", () => { received++; });
    sockets.push(s);
  }
  parentPort.postMessage({ ports: sockets.map((s) => s.address().port) });
})().catch((e) => parentPort.postMessage({ error: String(e) }));
parentPort.on("message", (m) => {
  if (m.datagrams) {
    const list = m.datagrams;
    const period = 1000 / list.length;
    const start = performance.now();
    let k = 0;
    const tick = () => {
      if (stopped) return;
      const now = performance.now();
      while (start + k * period <= now) {
        const d = list[k % list.length];
        sockets[d.socket].send(d.bytes, workerData.connector.port, workerData.connector.addr);
        sent++; k++;
      }
      timer = setTimeout(tick, Math.max(0, start + k * period - performance.now()));
    };
    tick();
  } else if (m.stop) {
    stopped = true;
    clearTimeout(timer);
    for (const s of sockets) s.close();
    parentPort.postMessage({ done: { sent, received } });
  }
});
`;

export interface LoadStats {
  sent: number;
  received: number;
}

export class CheckLoad {
  private constructor(private readonly worker: Worker) {}

  /** Starts the worker, binds one socket per virtual server at `addrOf(v)`, starts sending. */
  static async start(connector: Endpoint, addrOf: (v: number) => string): Promise<CheckLoad> {
    const addrs = Array.from({ length: VIRTUAL }, (_, v) => addrOf(v));
    const worker = new Worker(WORKER, { eval: true, workerData: { addrs, connector } });
    const ports = await new Promise<number[]>((resolve, reject) => {
      worker.once("message", (m: { ports?: number[]; error?: string }) =>
        m.ports ? resolve(m.ports) : reject(new Error(m.error)),
      );
      worker.once("error", reject);
    });
    const datagrams: { socket: number; bytes: Uint8Array }[] = [];
    // Interleaved (guest g of every server, then g+1 ...) so each cluster's CHECKs spread too.
    for (let g = 0; g < GUESTS_PER_VIRTUAL; g++) {
      for (let v = 0; v < VIRTUAL; v++) {
        const bytes = encodeResetPath({
          type: "check",
          header: {
            requestId: guestSubsystem(v, g),
            senderId: guestSubsystem(v, g),
            timestampMs: Date.now(),
            attempt: 0,
          },
          body: {
            replyPort: ports[v]!,
            kind: "guest",
            intervalSec: 1,
            pairSubsystem: 0,
            systemName: virtualName(v),
            vmName: guestName(v, g),
          },
        });
        datagrams.push({ socket: v, bytes });
      }
    }
    worker.postMessage({ datagrams });
    return new CheckLoad(worker);
  }

  async stop(): Promise<LoadStats> {
    const done = new Promise<LoadStats>((resolve) => {
      this.worker.on("message", (m: { done?: LoadStats }) => {
        if (m.done) resolve(m.done);
      });
    });
    this.worker.postMessage({ stop: true });
    const stats = await done;
    await this.worker.terminate();
    return stats;
  }
}
