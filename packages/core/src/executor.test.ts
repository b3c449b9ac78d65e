import { afterEach, describe, expect, it } from "vitest";
import { createEngineState } from "./engine.js";
import { EngineRunner } from "./executor.js";
import { RecentIndex } from "./recent-index.js";
import { buildConfig, type EngineHarness, SimulatedClock } from "./test/index.js";
import { transition } from "./engine.js";

/** CHECKs that register PSERVER1 (10001) and PSERVER2 (10002), the shape every test here uses. */
function registerBoth(runner: EngineRunner): void {
  for (const [subsystem, system] of [
    [10001, "PSERVER1"],
    [10002, "PSERVER2"],
  ] as const) {
    runner.dispatch({
      type: "check",
      from: { addr: `127.0.0.${subsystem % 100}`, port: 6001 },
      system,
      subsystem,
      port: 6001,
      vmName: null,
      pairSubsystem: null,
    });
  }
}

/** PSERVER2 asks to reset PSERVER1 (request 1). */
function resetPserver1(runner: EngineRunner): void {
  runner.dispatch({
    type: "reset",
    from: { addr: "127.0.0.2", port: 6001 },
    requestId: 1,
    system: "PSERVER1",
    target: 10001,
    requester: 10002,
  });
}

/**
 * 32 servers, each registered by its own monitor (127.0.1.n), with ports that record device
 * calls, datagrams and books in `order`; `defer` given, the deferred turns queue in `turns`.
 */
function stormRunner(withDefer: boolean) {
  const clock = new SimulatedClock();
  const servers = Array.from({ length: 32 }, (_, i) => ({ name: `PSERVER${i + 1}` }));
  const config = buildConfig({ servers, hispeedMs: 1000 });
  const order: string[] = [];
  const turns: (() => void)[] = [];
  const answers = () => Promise.resolve();
  const runner = new EngineRunner(createEngineState(config), {
    clock,
    controller: (device) => ({
      kind: "bmc",
      describe: `bmc ${device.type === "bmc" ? device.system : "?"}`,
      status: () => new Promise(() => {}),
      on: answers,
      off: answers,
      nmi: () => {
        order.push("nmi");
        return Promise.resolve();
      },
      reset: () => {
        order.push("reset");
        return Promise.resolve();
      },
    }),
    send: (e) => order.push(e.kind),
    log: (line) => order.push(`log ${line.split(" ")[2]} ${line.split(" ")[5]}`),
    notice: () => order.push("notice"),
    stateChanged: () => order.push("stateChanged"),
    ...(withDefer ? { defer: (work: () => void) => turns.push(work) } : {}),
  });
  for (let i = 0; i < 32; i++) {
    runner.dispatch({
      type: "check",
      from: { addr: `127.0.1.${i + 1}`, port: 6001 },
      system: `PSERVER${i + 1}`,
      subsystem: 10001 + i,
      port: 6001,
      vmName: null,
      pairSubsystem: null,
    });
  }
  /** Runs one deferred turn; false when none was queued. */
  const runTurn = () => {
    const work = turns.shift();
    work?.();
    return work !== undefined;
  };
  while (runTurn());
  /** The storm: server 17+i asks to reset server 1+i, all at the same instant (a dispatch each). */
  const storm = () => {
    for (let i = 0; i < 16; i++) {
      runner.dispatch({
        type: "reset",
        from: { addr: `127.0.1.${i + 17}`, port: 6001 },
        requestId: i + 1,
        system: `PSERVER${i + 1}`,
        target: 10001 + i,
        requester: 10017 + i,
      });
    }
  };
  return { clock, runner, order, turns, runTurn, storm };
}

const harnesses: EngineHarness[] = [];
afterEach(() => {
  for (const h of harnesses.splice(0)) h.stop();
});

describe("executor", () => {
  it("a controller that cannot be built and a throwing port are reported, never fatal", async () => {
    const clock = new SimulatedClock();
    const config = buildConfig({ servers: [{ name: "PSERVER1" }, { name: "PSERVER2" }] });
    const errors: unknown[] = [];
    const sent: string[] = [];
    const runner = new EngineRunner(createEngineState(config), {
      clock,
      controller: () => {
        throw new Error("no driver");
      },
      send: (e) => {
        sent.push(e.kind);
        if (e.kind === "sendAccepted") throw new Error("socket closed");
      },
      log: () => {},
      portError: (e) => errors.push(e),
    });
    registerBoth(runner);
    resetPserver1(runner);
    await clock.advance(30_000);
    expect(errors).toHaveLength(1);
    expect(sent.at(-1)).toBe("sendResult");
    expect(runner.state.shared.servers.PSERVER1?.bmc).toBe("NG");
    runner.stop();
  });

  it("runs device calls, sends and timers before the step's log lines, notices and state publication", () => {
    const clock = new SimulatedClock();
    const config = buildConfig({ servers: [{ name: "PSERVER1" }, { name: "PSERVER2" }] });
    const order: string[] = [];
    const runner = new EngineRunner(createEngineState(config), {
      clock,
      controller: () => {
        order.push("device");
        return {
          kind: "bmc",
          describe: "never answers",
          status: () => new Promise(() => {}),
          on: () => new Promise(() => {}),
          off: () => new Promise(() => {}),
          reset: () => new Promise(() => {}),
          nmi: () => new Promise(() => {}),
        };
      },
      send: (e) => order.push(e.kind),
      log: (line) => order.push(`log ${line.split(" ")[2]} ${line.split(" ")[5]}`),
      notice: () => order.push("notice"),
      stateChanged: () => order.push("stateChanged"),
    });
    registerBoth(runner);
    order.length = 0;
    resetPserver1(runner);
    // The engine emits RM-RESET RECV first; the NMI and the acceptance still go out first.
    expect(order).toEqual([
      "device",
      "sendAccepted",
      "log RM-RESET RECV",
      "log SOFTRESET SEND",
      "stateChanged",
    ]);
    order.length = 0;
    runner.dispatch({ type: "dumpNotice", from: { addr: "127.0.0.1", port: 7001 }, subsystem: 10001 });
    expect(order.slice(0, 2)).toEqual(["sendAttention", "sendResult"]);
    expect(order.slice(2, 4)).toEqual(["log ATTENTION RECV", "log ATTENTION SEND"]);
    expect(order.at(-1)).toBe("stateChanged");
    runner.stop();
  });

  it("16 hispeed timers due together: all 16 hardware resets go out before the first book of any step", async () => {
    const { clock, runner, order, storm } = stormRunner(false);
    storm();
    await clock.flush();
    expect(order.filter((o) => o === "nmi")).toHaveLength(16);
    order.length = 0;
    await clock.advance(999);
    expect(order).not.toContain("reset");
    await clock.advance(1);
    // The turn of the 16 due timers: 16 device writes, then the books (a count/order guard).
    const firstBook = order.findIndex((o) => o.startsWith("log") || o === "stateChanged" || o === "notice");
    expect(order.filter((o) => o === "reset")).toHaveLength(16);
    expect(firstBook).toBeGreaterThanOrEqual(16);
    expect(order.slice(0, 16)).toEqual(Array(16).fill("reset"));
    // The books follow, for every step of the turn (log lines and state publication).
    expect(order.slice(16).filter((o) => o === "stateChanged").length).toBeGreaterThanOrEqual(1);
    expect(order.slice(16).filter((o) => o.startsWith("log")).length).toBeGreaterThanOrEqual(16);
    runner.stop();
  });

  it("with defer: RESETs that arrive together are all answered before any step's books; one deferred step per turn", async () => {
    const { runner, order, turns, runTurn, storm } = stormRunner(true);
    order.length = 0;
    // 16 RESETs, each in its own dispatch (a datagram each), before the loop gets back to us.
    storm();
    // Every answer and every NMI went out, each step's state published right after its NMI (a
    // standby that takes over then knows the NMI was sent); not one reset-log line yet.
    expect(order.filter((o) => o === "sendAccepted")).toHaveLength(16);
    expect(order.filter((o) => o === "nmi")).toHaveLength(16);
    expect(order.some((o) => o.startsWith("log"))).toBe(false);
    const steps = order.join(" ").split("nmi").slice(1);
    expect(steps.every((step) => step.includes("stateChanged"))).toBe(true);
    // One step's books per deferred turn, in the order of the steps.
    expect(turns).toHaveLength(1);
    order.length = 0;
    runTurn();
    expect(order.filter((o) => o === "log RM-RESET RECV")).toHaveLength(1);
    let turnsRun = 1;
    while (runTurn()) turnsRun++;
    expect(turnsRun).toBe(16);
    expect(order.filter((o) => o === "log RM-RESET RECV")).toHaveLength(16);
    runner.stop();
  });

  it("with defer: a hardware reset that falls due while results fan out goes before the next step's datagrams", async () => {
    const clock = new SimulatedClock();
    const config = buildConfig({
      servers: [{ name: "PSERVER1" }, { name: "PSERVER2" }, { name: "PSERVER3" }],
      hispeedMs: 1000,
    });
    const order: string[] = [];
    const turns: (() => void)[] = [];
    const runner = new EngineRunner(createEngineState(config), {
      clock,
      controller: (device) => ({
        kind: "bmc",
        describe: "bmc",
        status: () => new Promise(() => {}),
        on: () => Promise.resolve(),
        off: () => Promise.resolve(),
        nmi: () => Promise.resolve(),
        reset: () => {
          order.push(`reset ${device.type === "bmc" ? device.system : "?"}`);
          return Promise.resolve();
        },
      }),
      send: (e) => order.push(e.kind),
      log: () => {},
      defer: (work) => turns.push(work),
    });
    const runTurns = () => {
      for (let work = turns.shift(); work; work = turns.shift()) work();
    };
    for (const [i, system] of ["PSERVER1", "PSERVER2", "PSERVER3"].entries()) {
      runner.dispatch({
        type: "check",
        from: { addr: `127.0.0.${i + 1}`, port: 6001 },
        system,
        subsystem: 10001 + i,
        port: 6001,
        vmName: null,
        pairSubsystem: null,
      });
    }
    runTurns();
    // PSERVER3 asks for PSERVER1 now and for PSERVER2 5 ms later: two hardware resets due 5 ms apart.
    runner.dispatch({
      type: "reset",
      from: { addr: "127.0.0.3", port: 6001 },
      requestId: 1,
      system: "PSERVER1",
      target: 10001,
      requester: 10003,
    });
    await clock.advance(5);
    runner.dispatch({
      type: "reset",
      from: { addr: "127.0.0.3", port: 6001 },
      requestId: 2,
      system: "PSERVER2",
      target: 10002,
      requester: 10003,
    });
    await clock.flush();
    runTurns();
    order.length = 0;
    // PSERVER1's hardware reset falls due and is acknowledged: its result waits in a deferred turn.
    await clock.advance(995);
    await clock.flush();
    expect(order).toEqual(["reset PSERVER1"]);
    // The loop was busy past PSERVER2's deadline before it came back to the deferred turn.
    clock.moveTo(clock.now() + 6);
    runTurns();
    // PSERVER2's hardware reset (overdue) goes before PSERVER1's result is sent.
    expect(order.slice(0, 4)).toEqual(["reset PSERVER1", "reset PSERVER2", "sendAttention", "sendResult"]);
    runner.stop();
  });

  it("a due timer that an earlier step of the same turn re-set is not delivered early", async () => {
    const clock = new SimulatedClock();
    const config = buildConfig({ servers: [{ name: "PSERVER1" }, { name: "PSERVER2" }], hispeedMs: 1000 });
    const resets: number[] = [];
    const runner = new EngineRunner(createEngineState(config), {
      clock,
      controller: () => ({
        kind: "bmc",
        describe: "bmc",
        status: () => new Promise(() => {}),
        on: () => Promise.resolve(),
        off: () => Promise.resolve(),
        nmi: () => Promise.resolve(),
        reset: () => {
          resets.push(clock.now());
          return Promise.resolve();
        },
      }),
      send: () => {},
      log: () => {},
    });
    registerBoth(runner);
    resetPserver1(runner);
    await clock.flush();
    const t0 = clock.now();
    await clock.advance(2000);
    // One hardware reset, exactly at NMI + hispeed (the batching neither repeats nor advances it).
    expect(resets).toEqual([t0 + 1000]);
    runner.stop();
  });

  it("overhead: RESET → NMI effect and DUMP → ATTENTION with 256 registered systems (printed)", () => {
    const servers = Array.from({ length: 16 }, (_, i) => ({ name: `VHOST${i + 1}`, virtual: true }));
    const config = buildConfig({ servers });
    let state = createEngineState(config);
    let now = Date.UTC(2026, 3, 1);
    for (let s = 0; s < 16; s++) {
      for (let g = 0; g < 16; g++) {
        const sub = 10000 + s * 16 + g;
        [state] = transition(state, {
          type: "check",
          now,
          from: { addr: `127.0.${s}.${g + 1}`, port: 6001 },
          system: `VHOST${s + 1}`,
          subsystem: sub,
          port: 6001,
          vmName: `vm${g}`,
          pairSubsystem: null,
        });
      }
    }
    const resetTimes: number[] = [];
    const dumpTimes: number[] = [];
    for (let i = 0; i < 200; i++) {
      const target = 10000 + (i % 256);
      const requester = 10000 + ((i + 1) % 256);
      now += 10;
      const t0 = performance.now();
      const [s1, e1] = transition(state, {
        type: "reset",
        now,
        from: {
          addr: `127.0.${Math.floor((requester - 10000) / 16)}.${((requester - 10000) % 16) + 1}`,
          port: 6001,
        },
        requestId: i + 1,
        system: `VHOST${Math.floor((target - 10000) / 16) + 1}`,
        target,
        requester,
      });
      resetTimes.push(performance.now() - t0);
      expect(e1.some((e) => e.kind === "device" && e.op === "nmi")).toBe(true);
      now += 10;
      const t1 = performance.now();
      const [s2, e2] = transition(s1, {
        type: "dumpNotice",
        now,
        from: {
          addr: `127.0.${Math.floor((target - 10000) / 16)}.${((target - 10000) % 16) + 1}`,
          port: 7410,
        },
        subsystem: target,
      });
      dumpTimes.push(performance.now() - t1);
      expect(e2.some((e) => e.kind === "sendAttention")).toBe(true);
      // Back to normal for the next round.
      state = { ...s2, shared: { ...s2.shared, monitors: state.shared.monitors, recent: RecentIndex.empty } };
    }
    const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * p)] ?? 0;
    console.log(
      `core transition, 256 systems: RESET→NMI p50 ${pct(resetTimes, 0.5).toFixed(3)} ms p99 ${pct(resetTimes, 0.99).toFixed(3)} ms; ` +
        `DUMP→ATTENTION p50 ${pct(dumpTimes, 0.5).toFixed(3)} ms p99 ${pct(dumpTimes, 0.99).toFixed(3)} ms`,
    );
    expect(pct(resetTimes, 0.5)).toBeLessThan(50);
  });
});
