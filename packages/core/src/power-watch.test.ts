import { afterEach, describe, expect, it } from "vitest";
import { POLL_BATCH, POLL_SPREAD } from "./power-watch.js";
import { buildConfig, EngineHarness } from "./test/index.js";

const harnesses: EngineHarness[] = [];
afterEach(() => {
  for (const h of harnesses.splice(0)) h.stop();
});

/** 15 registered guests on each of VHOST1..16, then the first poll round (start + 4999 ms). */
async function registerGuestsAndRunOneRound(h: EngineHarness): Promise<number> {
  for (let s = 0; s < 16; s++)
    for (let g = 0; g < 15; g++)
      h.check(20000 + s * 100 + g, `VHOST${s + 1}`, {
        vmName: `vm${g}`,
        port: 6002,
        addr: `127.0.${s + 1}.${g + 1}`,
      });
  const t0 = h.clock.now();
  h.dispatch({ type: "start" });
  await h.clock.advance(4_999);
  return t0;
}

describe("power polls in flight", () => {
  it("a round starts one poll per device, none for a device whose poll is still in flight", async () => {
    const h = new EngineHarness(buildConfig({ servers: [{ name: "PSERVER1" }, { name: "PSERVER2" }] }), {
      controller: (key) => (key === "bmc:PSERVER2" ? { latencyMs: { status: 12_000 } } : {}),
    });
    harnesses.push(h);
    h.dispatch({ type: "start" });
    await h.clock.advance(1);
    expect(h.state.local.pollsInFlight).toEqual(["bmc:PSERVER2"]);
    await h.clock.advance(10_000); // two more rounds: PSERVER2's first poll has not answered
    expect(h.controller("bmc:PSERVER1").count("status")).toBe(3);
    expect(h.controller("bmc:PSERVER2").count("status")).toBe(1);
    await h.clock.advance(5_000);
    expect(h.controller("bmc:PSERVER2").count("status")).toBe(2);
  });
});

describe("a poll round is spread over its interval (issue 19: no long event-loop slice)", () => {
  it("at 32 servers × (BMC + 4 outlets) the round is ≥ 20 steps of ≤ POLL_BATCH calls, within the interval", async () => {
    const servers = Array.from({ length: 32 }, (_, i) => ({
      name: `PSERVER${i + 1}`,
      outlets: [1, 2, 3, 4].map((o) => [`127.0.0.${10 + (i % 4)}`, i * 4 + o] as [string, number]),
    }));
    const h = new EngineHarness(
      buildConfig({ servers, pdus: ["127.0.0.10", "127.0.0.11", "127.0.0.12", "127.0.0.13"] }),
    );
    harnesses.push(h);
    const t0 = h.clock.now();
    h.dispatch({ type: "start" });
    await h.clock.advance(4_999);
    const calls = [...h.controllers.values()].flatMap((c) => c.calls.filter((x) => x.op === "status"));
    expect(calls).toHaveLength(32 + 128); // every device once in the round
    const perInstant = new Map<number, number>();
    for (const c of calls) perInstant.set(c.at - t0, (perInstant.get(c.at - t0) ?? 0) + 1);
    expect(perInstant.size).toBeGreaterThanOrEqual(Math.ceil(160 / POLL_BATCH));
    expect(Math.max(...perInstant.values())).toBeLessThanOrEqual(POLL_BATCH);
    expect(Math.max(...perInstant.keys())).toBeLessThanOrEqual(5000 * POLL_SPREAD);
    // The next round starts on time and is spread the same way.
    await h.clock.advance(5_000);
    const second = [...h.controllers.values()].flatMap((c) =>
      c.calls.filter((x) => x.op === "status" && x.at - t0 >= 5000),
    );
    expect(second).toHaveLength(160);
    expect(new Set(second.map((c) => c.at)).size).toBeGreaterThanOrEqual(20);
  });

  it("the guests of one ESXi host are polled in one step (one command per host per round), the round still spread", async () => {
    const servers = Array.from({ length: 16 }, (_, i) => ({ name: `VHOST${i + 1}`, virtual: true }));
    const h = new EngineHarness(buildConfig({ servers }));
    harnesses.push(h);
    const t0 = await registerGuestsAndRunOneRound(h);
    const guestCalls = [...h.controllers.entries()]
      .filter(([key]) => key.startsWith("guest:"))
      .flatMap(([key, c]) =>
        c.calls.filter((x) => x.op === "status").map((x) => ({ host: key.split("/")[0], at: x.at - t0 })),
      );
    expect(guestCalls).toHaveLength(240);
    const instantsPerHost = new Map<string, Set<number>>();
    for (const c of guestCalls) {
      const set = instantsPerHost.get(c.host ?? "") ?? new Set<number>();
      set.add(c.at);
      instantsPerHost.set(c.host ?? "", set);
    }
    expect(instantsPerHost.size).toBe(16);
    for (const set of instantsPerHost.values()) expect(set.size).toBe(1); // all 15 in the same step
    // 16 BMCs + 16 hosts = 32 units: ≥ 4 steps, ≤ POLL_BATCH units each.
    const all = [...h.controllers.values()].flatMap((c) => c.calls.filter((x) => x.op === "status"));
    expect(new Set(all.map((c) => c.at)).size).toBeGreaterThanOrEqual(Math.ceil(32 / POLL_BATCH));
  });

  it("at the maxima the ESXi hosts are spread over the round: at most one host's guests per step", async () => {
    const servers = [
      ...Array.from({ length: 16 }, (_, i) => ({
        name: `PSERVER${i + 1}`,
        outlets: [1, 2, 3, 4].map((o) => [`127.0.0.${10 + (i % 4)}`, i * 8 + o] as [string, number]),
      })),
      ...Array.from({ length: 16 }, (_, i) => ({
        name: `VHOST${i + 1}`,
        virtual: true,
        outlets: [5, 6, 7, 8].map((o) => [`127.0.0.${10 + (i % 4)}`, i * 8 + o] as [string, number]),
      })),
    ];
    const h = new EngineHarness(
      buildConfig({ servers, pdus: ["127.0.0.10", "127.0.0.11", "127.0.0.12", "127.0.0.13"] }),
    );
    harnesses.push(h);
    const t0 = await registerGuestsAndRunOneRound(h);
    const hostsAt = new Map<number, Set<string>>();
    const kindsAt = new Map<number, Set<string>>();
    for (const [key, c] of h.controllers) {
      for (const call of c.calls.filter((x) => x.op === "status")) {
        const at = call.at - t0;
        const kind = key.split(":")[0] ?? "";
        kindsAt.set(at, (kindsAt.get(at) ?? new Set()).add(kind));
        if (kind === "guest") hostsAt.set(at, (hostsAt.get(at) ?? new Set()).add(key.split("/")[0] ?? ""));
      }
    }
    // 32 BMCs + 16 hosts + 128 outlets = 176 units, 22 steps: every host in a step of its own.
    expect([...hostsAt.values()].reduce((n, s) => n + s.size, 0)).toBe(16);
    expect(Math.max(...[...hostsAt.values()].map((s) => s.size))).toBe(1);
    // And the steps mix the kinds (the old fixed order had steps of outlets only).
    expect([...kindsAt.values()].filter((k) => k.size >= 2).length).toBeGreaterThanOrEqual(16);
  });

  it("firstPollDelayMs: the first round waits, the next ones keep the interval", async () => {
    const h = new EngineHarness(buildConfig({ servers: [{ name: "PSERVER1" }] }), {
      options: { firstPollDelayMs: 250 },
    });
    harnesses.push(h);
    const t0 = h.clock.now();
    h.dispatch({ type: "start" });
    await h.clock.advance(249);
    expect(h.controller("bmc:PSERVER1").count("status")).toBe(0);
    await h.clock.advance(5001);
    expect(h.controller("bmc:PSERVER1").calls.map((c) => c.at - t0)).toEqual([250, 5250]);
  });

  it("a small configuration is still polled in one step", async () => {
    const h = new EngineHarness(buildConfig({ servers: [{ name: "PSERVER1" }, { name: "PSERVER2" }] }));
    harnesses.push(h);
    const t0 = h.clock.now();
    h.dispatch({ type: "start" });
    await h.clock.advance(1);
    expect(h.controller("bmc:PSERVER1").calls.map((c) => c.at - t0)).toEqual([0]);
    expect(h.controller("bmc:PSERVER2").calls.map((c) => c.at - t0)).toEqual([0]);
  });

  it("the registry is walked once per round, not per slice or per guest result (issue 19 point 2)", async () => {
    // The CPU profile of the daemon at the maxima showed each slice's largest cost in walking the
    // configuration and all 256 registrations again to find its 8 units; and each of the 240 guest
    // results walked the registry to find its record. Counted here as enumerations of the
    // registry (Object.values / keys / spread of `monitors`) during one whole round.
    const servers = Array.from({ length: 16 }, (_, i) => ({ name: `VHOST${i + 1}`, virtual: true }));
    const h = new EngineHarness(
      buildConfig({ servers: [...servers, ...servers.map((_, i) => ({ name: `PSERVER${i + 1}` }))] }),
    );
    harnesses.push(h);
    await registerGuestsAndRunOneRound(h); // round 1 records every guest's power
    let walks = 0;
    const monitors = h.state.shared.monitors;
    (h.state.shared as { monitors: typeof monitors }).monitors = new Proxy(monitors, {
      ownKeys(target) {
        walks++;
        return Reflect.ownKeys(target);
      },
    });
    const before = h.controllers.size;
    const statusCalls = () => [...h.controllers.values()].reduce((n, c) => n + c.count("status"), 0);
    const calls0 = statusCalls();
    await h.clock.advance(5_000); // round 2, whole
    expect(h.controllers.size).toBe(before);
    expect(statusCalls() - calls0).toBe(32 + 240); // every BMC and guest polled, answered
    expect(walks).toBeLessThanOrEqual(1);
  });

  it("a configuration change mid-round recomputes the rest of the round: a removed server is not polled", async () => {
    const servers = Array.from({ length: 32 }, (_, i) => ({ name: `PSERVER${i + 1}` }));
    const h = new EngineHarness(buildConfig({ servers }));
    harnesses.push(h);
    h.dispatch({ type: "start" });
    await h.clock.advance(1); // slice 0 of 4: PSERVER1..8
    h.dispatch({ type: "configChanged", config: buildConfig({ servers: servers.slice(0, 31) }) });
    await h.clock.advance(4_998);
    expect(h.controller("bmc:PSERVER31").count("status")).toBe(1);
    expect(h.controller("bmc:PSERVER32").count("status")).toBe(0);
  });
});
