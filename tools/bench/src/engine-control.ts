// Control for the engine bench's idle figures (engine.bench.ts).
import { createSocket } from "node:dgram";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * Control for the idle figures: the same pattern with no daemon work at all, a 10 ms sleep and
 * then one datagram to an in-process socket that echoes it at once; send → echo received.
 * Shows this machine's floor (its wake-up jitter after an idle sleep) under the idle p99 goals.
 */
export async function bareHops(addr: string, samples: number): Promise<number[]> {
  const a = createSocket("udp4");
  const b = createSocket("udp4");
  await new Promise<void>((r) => a.bind(0, addr, r));
  await new Promise<void>((r) => b.bind(0, addr, r));
  b.on("message", (m, from) => b.send(m, from.port, from.address));
  const out: number[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      await sleep(10);
      const echoed = new Promise<number>((r) => a.once("message", () => r(performance.now())));
      const t0 = performance.now();
      a.send(Buffer.alloc(100), b.address().port, addr);
      out.push((await echoed) - t0);
    }
  } finally {
    a.close();
    b.close();
  }
  return out;
}
