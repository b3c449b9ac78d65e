import { createSocket, type Socket } from "node:dgram";
import { afterEach, describe, expect, it } from "vitest";
import { LossyRelay } from "./lossy-relay.js";
import { percentile, seededRandom } from "./index.js";

const sockets: Socket[] = [];
const relays: LossyRelay[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
  for (const r of relays.splice(0)) r.close();
});

async function bound(address: string, port = 0): Promise<Socket> {
  const s = createSocket("udp4");
  await new Promise<void>((r) => s.bind(port, address, () => r()));
  sockets.push(s);
  return s;
}

async function relayPair(loss: number, seed: number, duplicate = 0) {
  const connector = await bound("127.0.94.1");
  const relay = await LossyRelay.start({
    listen: { address: "127.0.94.2", port: 0 },
    upstream: { address: "127.0.94.1", port: connector.address().port },
    outwardAddress: "127.0.94.3",
    loss,
    duplicate,
    seed,
  });
  relays.push(relay);
  const monitor = await bound("127.0.94.4", relay.outward.port);
  return { connector, relay, monitor };
}

describe("seededRandom", () => {
  it("replays the same sequence for a seed, another for another seed", () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const c = seededRandom(8);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe("LossyRelay", () => {
  it("carries datagrams both ways; the connector sees the outward address and the monitor's port", async () => {
    const { connector, relay, monitor } = await relayPair(0, 1);
    const got = new Promise<{ text: string; from: string; port: number }>((resolve) =>
      connector.once("message", (b, r) => resolve({ text: b.toString(), from: r.address, port: r.port })),
    );
    monitor.send("hello", relay.listen.port, relay.listen.address);
    const m = await got;
    expect(m).toEqual({ text: "hello", from: "127.0.94.3", port: monitor.address().port });
    const back = new Promise<string>((resolve) => monitor.once("message", (b) => resolve(b.toString())));
    connector.send("reply", m.port, m.from);
    expect(await back).toBe("reply");
    expect(relay.stats.toConnector.forwarded).toBe(1);
    expect(relay.stats.toMonitor.forwarded).toBe(1);
  });

  it("drops about the configured share, the same datagrams for the same seed", async () => {
    const counts: number[] = [];
    for (const seed of [5, 5]) {
      const { connector, relay, monitor } = await relayPair(0.3, seed);
      let received = 0;
      connector.on("message", () => received++);
      for (let i = 0; i < 400; i++) {
        await new Promise((r) => monitor.send(`m${i}`, relay.listen.port, relay.listen.address, r));
        if (i % 20 === 19) await new Promise((r) => setTimeout(r, 2));
      }
      for (let t = 0; t < 100 && relay.stats.toConnector.received < 400; t++)
        await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 50));
      expect(relay.stats.toConnector.received).toBe(400);
      expect(received).toBe(400 - relay.stats.toConnector.dropped);
      counts.push(relay.stats.toConnector.dropped);
    }
    expect(counts[0]).toBe(counts[1]);
    expect(counts[0]! / 400).toBeGreaterThan(0.2);
    expect(counts[0]! / 400).toBeLessThan(0.4);
  });

  it("duplicates when asked", async () => {
    const { connector, relay, monitor } = await relayPair(0, 3, 1);
    let received = 0;
    connector.on("message", () => received++);
    monitor.send("x", relay.listen.port, relay.listen.address);
    await new Promise((r) => setTimeout(r, 100));
    expect(received).toBe(2);
  });

  it("refuses non-loopback addresses", async () => {
    await expect(
      LossyRelay.start({
        listen: { address: "10.0.0.1", port: 0 },
        upstream: { address: "127.0.0.1", port: 1 },
        outwardAddress: "127.0.94.3",
        loss: 0,
        seed: 1,
      }),
    ).rejects.toThrow(/not a loopback/);
  });
});

describe("percentile", () => {
  it("nearest rank", () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(v, 99)).toBe(99);
    expect(percentile(v, 50)).toBe(50);
    expect(percentile([3], 99)).toBe(3);
  });
});
