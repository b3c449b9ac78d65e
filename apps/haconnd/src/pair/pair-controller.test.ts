// The controller's handling of a failed takeover step (issue 17, L: "a failed becomeActive is an
// unhandled rejection → crash"): it logs, releases, steps down to undecided and holds its role
// decision for the backoff. Simulated clock; the duplex link is not opened.
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
