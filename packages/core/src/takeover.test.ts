// Start with a possibly stale state (takeover.ts): the grace before a resumed job's hardware
// reset, and the window in which no new RESET is decided. Simulated clock throughout: a first
// engine plays the old active, its state is handed to a second one that takes over.

import { afterEach, describe, expect, it } from "vitest";
import { STALE_MARGIN_MS, staleWindowMs } from "./takeover.js";
import { buildConfig, EngineHarness, SimulatedClock } from "./test/index.js";
import type { EngineOptions } from "./types.js";

const harnesses: EngineHarness[] = [];
afterEach(() => {
  for (const h of harnesses.splice(0)) h.stop();
});

const OPTIONS: Partial<EngineOptions> = {
  deviceCallTimeoutMs: 2000,
  hardResetAckTimeoutMs: 3000,
  takeoverDumpGraceMs: 2000,
};

function config() {
  return buildConfig({
    servers: [
      { name: "PSERVER1", cluster: true },
      { name: "PSERVER2", cluster: true },
    ],
    hispeedMs: 1000,
  });
}

function engine(shared?: EngineHarness["state"]["shared"], at?: number) {
  const h = new EngineHarness(config(), {
    options: OPTIONS,
    ...(shared ? { shared } : {}),
    ...(at !== undefined ? { clock: new SimulatedClock(at) } : {}),
  });
  harnesses.push(h);
  return h;
}

/** The old active: both members registered, PSERVER2's monitor asked to reset PSERVER1 (NMI sent). */
async function oldActiveWithSoftJob() {
  const old = engine();
  old.check(10001, "PSERVER1", { pair: 10002 });
  old.check(10002, "PSERVER2", { pair: 10001 });
  old.reset(10002, 10001, "PSERVER1", 7);
  await old.clock.advance(100);
  expect(old.controller("bmc:PSERVER1").count("nmi")).toBe(1);
  return old;
}

describe("stale start: grace before the hardware reset of a resumed job", () => {
  it("a DUMP notice within the grace ends the job with DUMP and no hardware reset", async () => {
    const old = await oldActiveWithSoftJob();
    const shared = old.state.shared;
    // Taken over 3 s later: the job's hardware-reset time (NMI + 1 s) has passed.
    const next = engine(shared, old.clock.now() + 3000);
    next.dispatch({ type: "start", stale: true });
    await next.clock.advance(1500);
    expect(next.controller("bmc:PSERVER1").count("reset")).toBe(0);
    next.dump(10001);
    await next.clock.advance(10_000);
    expect(next.controller("bmc:PSERVER1").count("reset")).toBe(0);
    expect(next.controller("bmc:PSERVER1").count("nmi")).toBe(0);
    expect(next.sentOf("sendResult")).toMatchObject([{ requestId: 7, result: "DUMP" }]);
    expect(next.state.shared.jobs).toEqual({});
  });

  it("no notice: the hardware reset comes exactly at the end of the grace, and the grace is replicated", async () => {
    const old = await oldActiveWithSoftJob();
    const start = old.clock.now() + 3000;
    const next = engine(old.state.shared, start);
    next.dispatch({ type: "start", stale: true });
    expect(next.state.shared.jobs["6001/10001"]?.hardAt).toBe(start + 2000);
    expect(next.deltas.some((d) => d.op === "job" && d.job.hardAt === start + 2000)).toBe(true);
    await next.clock.advance(1999);
    expect(next.controller("bmc:PSERVER1").count("reset")).toBe(0);
    await next.clock.advance(1);
    expect(next.controller("bmc:PSERVER1").count("reset")).toBe(1);
  });

  it("a start known current (clean hand-over) keeps the job's own time: reset at once when it has passed", async () => {
    const old = await oldActiveWithSoftJob();
    const next = engine(old.state.shared, old.clock.now() + 3000);
    next.dispatch({ type: "start" });
    await next.clock.flush();
    expect(next.controller("bmc:PSERVER1").count("reset")).toBe(1);
  });

  it("a resumed hard-phase job re-issues its reset at once, with a fresh acknowledgement window; a DUMP notice changes nothing", async () => {
    const old = await oldActiveWithSoftJob();
    old.controller("bmc:PSERVER1").fail = { reset: "hang" }; // no acknowledgement
    await old.clock.advance(1000); // hardware reset issued by the old active
    expect(old.controller("bmc:PSERVER1").count("reset")).toBe(1);
    const job = old.state.shared.jobs["6001/10001"]!;
    expect(job.phase).toBe("hard");
    const start = old.clock.now() + 500;
    const next = engine(old.state.shared, start);
    next.controller("bmc:PSERVER1").fail = { reset: "hang" };
    next.dispatch({ type: "start", stale: true });
    await next.clock.advance(1);
    expect(next.controller("bmc:PSERVER1").count("reset")).toBe(1);
    const window = job.hard!.ackDeadline - job.hard!.firstAt;
    expect(next.state.shared.jobs["6001/10001"]?.hard?.ackDeadline).toBe(start + window);
    next.dump(10001);
    expect(next.sentOf("sendResult")).toEqual([]);
    expect(next.state.shared.jobs["6001/10001"]?.phase).toBe("hard");
  });
});

describe("F1 residual (seed 75599): the previous active took the DUMP notice alone", () => {
  // The notice ended the job at the old active, which served alone (no DUMP-ACK, nothing
  // replicated); the new active holds the job in its soft phase. Notifier rule 2: the notice
  // repeats for as long as the dump runs, ours every 500 ms, fence_kdump_send every second.
  function defaultGrace(shared: EngineHarness["state"]["shared"], at: number) {
    const { takeoverDumpGraceMs: _, ...rest } = OPTIONS;
    const h = new EngineHarness(config(), { options: rest, shared, clock: new SimulatedClock(at) });
    harnesses.push(h);
    return h;
  }

  it("the default grace covers four repeats of the slower notifier", () => {
    const h = defaultGrace(engine().state.shared, 0);
    expect(h.state.options.takeoverDumpGraceMs).toBe(4000);
  });

  for (const [name, every, lost] of [
    ["DUMP-NOTICE every 500 ms, the first seven lost", 500, 7],
    ["fence_kdump every second, the first three lost", 1000, 3],
  ] as const) {
    it(`${name}: the next repeat within the grace ends the job with DUMP, no hardware reset`, async () => {
      const old = await oldActiveWithSoftJob();
      const next = defaultGrace(old.state.shared, old.clock.now() + 3000);
      next.dispatch({ type: "start", stale: true });
      await next.clock.advance(every * lost + every / 2); // the lost repeats went by
      expect(next.controller("bmc:PSERVER1").count("reset")).toBe(0);
      if (every === 500) next.dump(10001);
      else next.dump(null, "127.0.0.101");
      await next.clock.advance(10_000);
      expect(next.controller("bmc:PSERVER1").count("reset")).toBe(0);
      expect(next.sentOf("sendResult")).toMatchObject([{ requestId: 7, result: "DUMP" }]);
      expect(next.sentOf("sendAttention")).toMatchObject([{ state: "DUMP" }]);
    });
  }

  it("no repeat at all within the grace (the dump ended, or every copy lost): hardware reset at its end", async () => {
    const old = await oldActiveWithSoftJob();
    const start = old.clock.now() + 3000;
    const next = defaultGrace(old.state.shared, start);
    next.dispatch({ type: "start", stale: true });
    await next.clock.advance(3999);
    expect(next.controller("bmc:PSERVER1").count("reset")).toBe(0);
    await next.clock.advance(1);
    expect(next.controller("bmc:PSERVER1").count("reset")).toBe(1);
    expect(next.controller("bmc:PSERVER1").count("nmi")).toBe(0); // never a second NMI
  });
});

describe("stale start: no new RESET decided in the stale window", () => {
  it("the window is the longest device deadline plus the margin", () => {
    const h = engine();
    expect(staleWindowMs(h.state)).toBe(3000 + STALE_MARGIN_MS);
    const withTimeout = new EngineHarness(
      buildConfig({
        servers: [{ name: "PSERVER1", ipdusd: true, outlets: [["127.0.3.1", 1]], timeoutSec: 7 }],
        pdus: ["127.0.3.1"],
      }),
      { options: OPTIONS },
    );
    harnesses.push(withTimeout);
    expect(staleWindowMs(withTimeout.state)).toBe(7000 + STALE_MARGIN_MS);
  });

  it("a new RESET gets no answer and leaves no trace until the window ends, then is decided", async () => {
    const old = engine();
    old.check(10001, "PSERVER1", { pair: 10002 });
    old.check(10002, "PSERVER2", { pair: 10001 });
    const next = engine(old.state.shared, old.clock.now() + 100);
    next.dispatch({ type: "start", stale: true });
    const window = staleWindowMs(next.state);
    next.reset(10001, 10002, "PSERVER2", 3);
    await next.clock.advance(window - 1);
    next.reset(10001, 10002, "PSERVER2", 3); // retransmission, still inside
    await next.clock.flush();
    expect(next.sent).toEqual([]);
    expect(next.state.shared.recent.size).toBe(0);
    expect(next.controller("bmc:PSERVER2").count("nmi")).toBe(0);
    expect(next.notices.some((n) => n.includes("deferred"))).toBe(true);
    await next.clock.advance(1);
    next.reset(10001, 10002, "PSERVER2", 3);
    await next.clock.flush();
    expect(next.sentOf("sendAccepted")).toMatchObject([{ requestId: 3 }]);
    expect(next.controller("bmc:PSERVER2").count("nmi")).toBe(1);
  });

  it("the pair race after a takeover: the old active's NMI lands inside the window, the peer's RESET is not served", async () => {
    // The old active reset PSERVER1 (PSERVER2 asked) but the standby's state misses it.
    const old = engine();
    old.check(10001, "PSERVER1", { pair: 10002 });
    old.check(10002, "PSERVER2", { pair: 10001 });
    const standbyState = old.state.shared;
    const next = engine(standbyState, old.clock.now() + 100);
    next.dispatch({ type: "start", stale: true });
    // PSERVER1's monitor, not yet stopped by the NMI in flight, asks for PSERVER2's reset.
    next.reset(10001, 10002, "PSERVER2", 9);
    await next.clock.advance(staleWindowMs(next.state) + 5000);
    // By the end of the window PSERVER1 is dumping and silent: nothing ever reached PSERVER2.
    expect(next.controller("bmc:PSERVER2").count("nmi")).toBe(0);
    expect(next.sent).toEqual([]);
  });

  it("a retransmission of a request the state knows is answered inside the window", async () => {
    const old = await oldActiveWithSoftJob();
    const next = engine(old.state.shared, old.clock.now() + 50);
    next.dispatch({ type: "start", stale: true });
    next.reset(10002, 10001, "PSERVER1", 7);
    await next.clock.flush();
    expect(next.sentOf("sendAccepted")).toMatchObject([{ requestId: 7 }]);
  });

  it("a start known current opens no window", async () => {
    const old = engine();
    old.check(10001, "PSERVER1", { pair: 10002 });
    old.check(10002, "PSERVER2", { pair: 10001 });
    const next = engine(old.state.shared, old.clock.now() + 100);
    next.dispatch({ type: "start" });
    next.reset(10001, 10002, "PSERVER2", 3);
    await next.clock.flush();
    expect(next.sentOf("sendAccepted")).toHaveLength(1);
    expect(next.state.local.staleUntil).toBe(0);
  });
});
