// The simulated HA monitor against a tiny connector built on the codec, over loopback.
import { generateAuthKey, type KeyRing } from "@haconn/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { HamonSimAddressError } from "./address.js";
import { HamonSimFakeConnector } from "./fake-connector.js";
import { HamonSimMonitor } from "./monitor.js";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

async function connector(o: ConstructorParameters<typeof Object>[0] = {}) {
  const c = await HamonSimFakeConnector.start(o);
  cleanup.push(() => c.stop());
  return c;
}

async function monitor(o: Parameters<typeof HamonSimMonitor.start>[0]) {
  const m = await HamonSimMonitor.start(o);
  cleanup.push(() => m.stop());
  return m;
}

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

function ring(): KeyRing {
  const k = generateAuthKey(1);
  return { keys: [k], send: k };
}

describe("hamon-sim", () => {
  it("registers with periodic CHECK and prints every exchange with a timestamp", async () => {
    const c = await connector();
    const lines: string[] = [];
    const m = await monitor({
      subsystem: 10001,
      systemName: "PSERVER3",
      connector: c.endpoint,
      bind: { address: "127.0.0.21", port: 0 },
      checkIntervalMs: 150,
      log: (l) => lines.push(l),
    });
    await until(() => c.received.filter((x) => x.type === "check").length >= 2);
    expect(c.registered.get(`${m.replyPort}/10001`)).toMatchObject({
      systemName: "PSERVER3",
      kind: "physical",
    });
    await until(() => m.lastCheckReply !== undefined);
    expect(m.lastCheckReply).toMatchObject({ role: "active", responder: "fakeconn" });
    expect(m.lastCheckReply!.redundancy.standbyNotSynchronised).toBe(true);
    expect(
      lines.some((l) => /^\d{4}-\d\d-\d\dT\S+Z hamon\[10001\] -> 127\.0\.0\.1:\d+ CHECK #\d+ /.test(l)),
    ).toBe(true);
    expect(lines.some((l) => / hamon\[10001\] <- 127\.0\.0\.1:\d+ CHECK-REPLY #\d+ /.test(l))).toBe(true);
  });

  it("retransmits RESET until accepted, gets one result, and the cluster gets one ATTENTION each", async () => {
    const c = await connector({ ignoreResets: 2, resultDelayMs: 100 });
    const target = await monitor({
      subsystem: 10001,
      systemName: "PSERVER3",
      connector: c.endpoint,
      bind: { address: "127.0.0.21", port: 0 },
      checkIntervalMs: 0,
    });
    // Same cluster = same reset-path port, on another loopback address.
    const requester = await monitor({
      subsystem: 10002,
      systemName: "PSERVER4",
      connector: c.endpoint,
      bind: { address: "127.0.0.22", port: target.replyPort },
      checkIntervalMs: 0,
    });
    expect(await target.check()).toBeDefined();
    expect(await requester.check()).toBeDefined();
    const outcome = await requester.reset(
      { subsystem: 10001, systemName: "PSERVER3" },
      { resultTimeoutMs: 5000 },
    );
    expect(outcome.sends).toBe(3);
    expect(outcome.accepted).toEqual({ targetSubsystem: 10001, phase: "softReset" });
    expect(outcome.result).toEqual({ targetSubsystem: 10001, result: "DUMP", detail: "none" });
    const resets = c.received.filter((x) => x.type === "reset");
    expect(resets.map((x) => x.header.attempt)).toEqual([0, 1, 2]);
    expect(new Set(resets.map((x) => x.header.requestId)).size).toBe(1);
    await until(() => c.received.some((x) => x.type === "result-ack"));
    await until(() => target.attentions.length === 1 && requester.attentions.length === 1);
    expect(target.attentions[0]).toMatchObject({
      state: "DUMP",
      targetSubsystem: 10001,
      targetSystemName: "PSERVER3",
    });
    await until(() => new Set(c.attentionAcks.map((a) => a.subsystem)).size === 2);
  });

  it("a retransmitted RESET gets the state of the first, never a second reset", async () => {
    const c = await connector({ resultDelayMs: 60_000 });
    const m = await monitor({
      subsystem: 10002,
      systemName: "PSERVER4",
      connector: c.endpoint,
      bind: { address: "127.0.0.1", port: 0 },
      checkIntervalMs: 0,
    });
    await m.check();
    const seen: string[] = [];
    m.channel.onMessage((x) => seen.push(`${x.type}#${x.header.requestId}`));
    const first = await m.reset({ subsystem: 10002, systemName: "PSERVER4" });
    expect(first.accepted?.phase).toBe("softReset");
    // Replay the same request id by hand: the connector answers from its record.
    await m.channel.send(c.endpoint, {
      type: "reset",
      header: { requestId: first.requestId, senderId: 10002, timestampMs: Date.now(), attempt: 5 },
      body: { targetSubsystem: 10002, clusterPort: m.replyPort, targetSystemName: "PSERVER4" },
    });
    await until(() => seen.length === 2);
    expect(seen).toEqual([`reset-accepted#${first.requestId}`, `reset-accepted#${first.requestId}`]);
    expect(c.resetsStarted).toBe(1);
  });

  it("no result within resultTimeoutMs (from the acceptance): the outcome keeps the acceptance, no result", async () => {
    const c = await connector({ resultDelayMs: 60_000 });
    const m = await monitor({
      subsystem: 10002,
      systemName: "PSERVER4",
      connector: c.endpoint,
      bind: { address: "127.0.0.1", port: 0 },
      checkIntervalMs: 0,
    });
    await m.check();
    const started = Date.now();
    const o = await m.reset({ subsystem: 10002, systemName: "PSERVER4" }, { resultTimeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(o).toMatchObject({ sends: 1, accepted: { phase: "softReset" } });
    expect(o.result).toBeUndefined();
  });

  it("an unknown target is answered ERROR at once", async () => {
    const c = await connector();
    const m = await monitor({
      subsystem: 10002,
      systemName: "PSERVER4",
      connector: c.endpoint,
      bind: { address: "127.0.0.1", port: 0 },
      checkIntervalMs: 0,
    });
    const o = await m.reset({ subsystem: 777, systemName: "NOPE" });
    expect(o).toMatchObject({ sends: 1, result: { result: "ERROR", detail: "unknownTarget" } });
  });

  it("with a shared key both sides sign; a monitor with another key is dropped as bad-mac", async () => {
    const key = ring();
    const c = await connector({ key });
    const good = await monitor({
      subsystem: 10001,
      systemName: "PSERVER3",
      connector: c.endpoint,
      bind: { address: "127.0.0.1", port: 0 },
      checkIntervalMs: 0,
      key,
    });
    const reply = await good.check();
    expect(reply?.responder).toBe("fakeconn");
    expect(c.received[0]?.auth?.keyId).toBe(1);
    const bad = await monitor({
      subsystem: 10003,
      systemName: "PSERVER5",
      connector: c.endpoint,
      bind: { address: "127.0.0.1", port: 0 },
      checkIntervalMs: 0,
      key: ring(),
    });
    expect(await bad.check(300)).toBeUndefined();
    expect(c.channel.drops["bad-mac"]).toBe(1);
  });

  it("refuses to bind or send outside 127.0.0.0/8", async () => {
    await expect(
      HamonSimMonitor.start({
        subsystem: 1,
        systemName: "X",
        connector: { address: "127.0.0.1", port: 5001 },
        bind: { address: "192.168.0.101", port: 0 },
        checkIntervalMs: 0,
      }),
    ).rejects.toBeInstanceOf(HamonSimAddressError);
    await expect(
      HamonSimMonitor.start({
        subsystem: 1,
        systemName: "X",
        connector: { address: "192.168.0.3", port: 5001 },
        bind: { address: "127.0.0.1", port: 0 },
        checkIntervalMs: 0,
      }),
    ).rejects.toBeInstanceOf(HamonSimAddressError);
  });
});
