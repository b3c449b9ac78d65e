// The controller's handling of a failed takeover step (issue 17, L: "a failed becomeActive is an
// unhandled rejection → crash"): it logs, releases, steps down to undecided and holds its role
// decision for the backoff. Simulated clock; the duplex link is not opened.
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import type { ManagementServer } from "@haconn/config";
import { SimulatedClock } from "@haconn/core/test";
import { createAuthKey } from "@haconn/protocol";
import { describe, expect, it } from "vitest";
import type { Devices } from "../devices.js";
import { PairController, type PairHost } from "./pair-controller.js";

const server = (name: string, addr: string) =>
  ({ name, mlan: { addr, port: 0 }, outlets: [] }) as unknown as ManagementServer;

describe("PairController: becomeActive fails", () => {
  it("logs, steps down to undecided, releases the reset path and holds back a retry", async () => {
    const clock = new SimulatedClock();
    const logs: string[] = [];
    let standbyCalls = 0;
    let attempts = 0;
    const host: PairHost = {
      clock,
      devices: {} as Devices,
      digest: "00".repeat(32),
      log: (_level, message) => logs.push(message),
      becomeActive: async () => {
        attempts += 1;
        throw Object.assign(new Error("bind EADDRINUSE 127.0.0.1:5001"), { code: "EADDRINUSE" });
      },
      becomeStandby: async () => {
        standbyCalls += 1;
      },
      vipInUseElsewhere: async () => false,
      shared: () => ({ version: 0 }) as never,
      shutdown: () => undefined,
    };
    const key = createAuthKey(1, new Uint8Array(32).fill(1));
    const pair = new PairController(host, {
      self: server("HACON1", "127.0.61.201"),
      peer: server("HACON2", "127.0.61.202"),
      key: { keys: [key], send: key },
    });
    // The peer says it is standby and waits for an active: this node takes the active role
    // (after the freshness time every started node waits).
    await clock.advance(3000);
    pair.dispatch({
      type: "heartbeat",
      now: clock.now(),
      from: "HACON2",
      role: "standby",
      term: 0,
      digest: "x",
      stateVersion: 0,
    });
    await clock.advance(0);
    await new Promise((r) => setImmediate(r));
    expect(attempts).toBe(1);
    expect(
      logs.some((l) => /taking the active role failed \(bind EADDRINUSE.*next attempt in 1 s/.test(l)),
    ).toBe(true);
    expect(pair.state.role).toBe("undecided");
    expect(standbyCalls).toBeGreaterThanOrEqual(1);
    const held = (pair as unknown as { activation: { held(now: number): boolean } }).activation;
    expect(held.held(clock.now())).toBe(true);
    expect(held.held(clock.now() + 1000)).toBe(false);
    pair.stop();
  });
});

/** A host that does nothing on its own (each test overrides what it watches). */
function quietHost(clock: SimulatedClock): PairHost {
  return {
    clock,
    devices: {} as Devices,
    digest: "00".repeat(32),
    log: () => undefined,
    becomeActive: async () => undefined,
    becomeStandby: async () => undefined,
    vipInUseElsewhere: async () => false,
    shared: () => ({ version: 0 }) as never,
    shutdown: () => undefined,
  };
}

/** A host whose BMC driver records each reset of the peer (and never completes it). */
function fencingHost(clock: SimulatedClock, resets: number[]): PairHost {
  return {
    ...quietHost(clock),
    devices: {
      bmc: () => ({
        reset: async () => {
          resets.push(clock.now());
          return new Promise<void>(() => undefined);
        },
      }),
    } as unknown as Devices,
    // The lone-start probe never answers: the node stays undecided until it hears the active.
    vipInUseElsewhere: () => new Promise<boolean>(() => undefined),
  };
}

/**
 * HACON2's controller with its tick loop running (the link is not opened: heartbeats go nowhere),
 * standby after hearing HACON1 active 7 ms off the 50 ms tick grid, on purpose.
 */
async function standbyHeard(host: PairHost, clock: SimulatedClock, self: string, peer: ManagementServer) {
  const key = createAuthKey(1, new Uint8Array(32).fill(1));
  const pair = new PairController(host, {
    self: server("HACON2", self),
    peer,
    key: { keys: [key], send: key },
  });
  (pair as unknown as { loop(): void }).loop();
  await clock.advance(3007);
  const heard = clock.now();
  pair.dispatch({
    type: "heartbeat",
    now: heard,
    from: "HACON1",
    role: "active",
    term: 1,
    digest: "x",
    stateVersion: 0,
  });
  expect(pair.state.role).toBe("standby");
  return { pair, heard };
}

describe("PairController: a silent active is noticed on the deadline (issue 19)", () => {
  it("the standby starts fencing at heard + heartbeat × missCount, not at the next 50 ms tick", async () => {
    const clock = new SimulatedClock();
    const resets: number[] = [];
    const { pair, heard } = await standbyHeard(
      fencingHost(clock, resets),
      clock,
      "127.0.61.212",
      server("HACON1", "127.0.61.211"),
    );
    const deadline = heard + pair.timing.heartbeatMs * pair.timing.missCount + 1;
    await clock.advance(deadline - 1 - clock.now());
    expect(resets).toEqual([]);
    await clock.advance(1);
    await new Promise((r) => setImmediate(r));
    expect(resets).toEqual([deadline]);
    pair.stop();
  });
});

describe("PairController: stream closed and reconnect refused (kill -9 of the active)", () => {
  /** A standby that heard its active; the active's duplex port is `port`; its stream is a stand-in. */
  async function standbyOf(port: number) {
    const clock = new SimulatedClock();
    const resets: number[] = [];
    const peer = { ...server("HACON1", "127.0.61.213"), mlan: { addr: "127.0.61.213", port } };
    const { pair, heard } = await standbyHeard(
      fencingHost(clock, resets),
      clock,
      "127.0.61.214",
      peer as ManagementServer,
    );
    // The channel's current stream (a stand-in: the handshake is duplex-link.test.ts's business).
    const channel = (pair as unknown as { channel: { stream: unknown; onStreamClosed(s: unknown): void } })
      .channel;
    const stream = { closed: false, deliberate: false };
    channel.stream = stream;
    const closeStream = () => {
      stream.closed = true;
      channel.onStreamClosed(stream);
    };
    return { clock, pair, resets, heard, closeStream };
  }

  const freePort = async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, "127.0.61.213", () => r()));
    const { port } = srv.address() as AddressInfo;
    return { srv, port };
  };
  const realIo = async (until: () => boolean) => {
    for (let i = 0; i < 200 && !until(); i++) await new Promise((r) => setTimeout(r, 5));
  };

  it("reconnects at once, and a refusal fences at heard + heartbeat × (missCount − 1), re-arming the tick", async () => {
    const { srv, port } = await freePort();
    await new Promise((r) => srv.close(r)); // nobody listens: the kernel refuses
    const { clock, pair, resets, heard, closeStream } = await standbyOf(port);
    const short = heard + pair.timing.heartbeatMs * (pair.timing.missCount - 1) + 1;
    // Just after the last regular tick before the shortened deadline: without re-arming, the
    // next tick would come up to 50 ms after it.
    await clock.advance(short - 7 - clock.now());
    closeStream();
    expect(pair.state.evidence.streamLostAt).toBe(clock.now()); // dispatched at once
    await realIo(() => pair.state.evidence.refusedAt !== null); // the reconnect, not the tick, ran
    expect(pair.state.evidence.refusedAt).toBe(clock.now());
    await clock.advance(short - 1 - clock.now());
    expect(resets).toEqual([]);
    await clock.advance(1);
    await new Promise((r) => setImmediate(r));
    expect(resets).toEqual([short]);
    pair.stop();
  });

  it("a reconnect that is not refused (someone listens) leaves the full budget", async () => {
    const { srv, port } = await freePort(); // accepts, never completes a handshake
    try {
      const { clock, pair, resets, heard, closeStream } = await standbyOf(port);
      const full = heard + pair.timing.heartbeatMs * pair.timing.missCount + 1;
      closeStream();
      expect(pair.state.evidence.streamLostAt).toBe(clock.now());
      let accepted = false;
      srv.once("connection", () => {
        accepted = true;
      });
      await realIo(() => accepted);
      expect(accepted).toBe(true);
      await clock.advance(full - 1 - clock.now());
      expect(pair.state.evidence.refusedAt).toBeNull();
      expect(resets).toEqual([]);
      await clock.advance(1);
      await new Promise((r) => setImmediate(r));
      expect(resets).toEqual([full]);
      pair.stop();
    } finally {
      srv.close();
    }
  });
});
