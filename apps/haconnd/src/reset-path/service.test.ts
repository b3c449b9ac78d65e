// The reset-path service with the real engine, a simulated clock and a recording port: what
// unknown senders cost (no state, one answer), what ACKs cancel, what DUMP-ACK says.
import { createEngineState, EngineRunner } from "@haconn/core";
import { buildConfig, FakePowerController, SimulatedClock } from "@haconn/core/test";
import type { ResetPathMessage } from "@haconn/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { replyLimit } from "./rate-limit.js";
import { type ResetPathPort, ResetPathService } from "./service.js";
import type { Peer, RefusalReason } from "./socket.js";

class RecordingPort implements ResetPathPort {
  readonly sent: { to: Peer; m: ResetPathMessage }[] = [];
  readonly refusals: RefusalReason[] = [];
  private readonly limit = replyLimit();
  constructor(
    private readonly clock: SimulatedClock,
    readonly signed = false,
  ) {}
  send(to: Peer, m: ResetPathMessage): void {
    this.sent.push({ to, m });
  }
  refuse(reason: RefusalReason): void {
    this.refusals.push(reason);
  }
  mayAnswer(from: Peer): boolean {
    return this.limit.allow(from.addr, this.clock.now());
  }
  of<T extends ResetPathMessage["type"]>(type: T, addr?: string) {
    return this.sent
      .filter((s) => s.m.type === type && (addr === undefined || s.to.addr === addr))
      .map((s) => s as { to: Peer; m: Extract<ResetPathMessage, { type: T }> });
  }
}

const runners: EngineRunner[] = [];
afterEach(() => {
  for (const r of runners.splice(0)) r.stop();
});

function setup(signed = false) {
  const clock = new SimulatedClock();
  const config = buildConfig({ servers: [{ name: "PSERVER1" }, { name: "PSERVER2" }] });
  const lines: string[] = [];
  const controllers = new Map<string, FakePowerController>();
  let runner: EngineRunner;
  const service = new ResetPathService({
    engine: () => runner,
    clock,
    nodeName: "mserver1",
    role: () => "active",
    redundancy: () => ({
      standbyNotSynchronised: false,
      standbyAbnormal: false,
      managementServerNotResettable: false,
    }),
    broadcast: null,
  });
  runner = new EngineRunner(createEngineState(config, { logTimeZone: "utc" }), {
    clock,
    controller: (d) => {
      const key = JSON.stringify(d);
      let c = controllers.get(key);
      if (!c) {
        c = new FakePowerController(clock, { latencyMs: { nmi: 10 } });
        controllers.set(key, c);
      }
      return c;
    },
    send: (e) => service.send(e),
    log: (line) => lines.push(line),
  });
  runners.push(runner);
  const port = new RecordingPort(clock, signed);
  service.attach(port);
  const header = (requestId: number, senderId: number) => ({
    requestId,
    senderId,
    timestampMs: clock.now(),
    attempt: 0,
  });
  const check = (subsystem: number, system: string, from: Peer, requestId = 1, replyPort = from.port) =>
    service.handle(
      {
        type: "check",
        header: header(requestId, subsystem),
        body: {
          replyPort,
          kind: "physical",
          intervalSec: 10,
          pairSubsystem: 0,
          systemName: system,
          vmName: "",
        },
      },
      from,
    );
  const reset = (requester: number, target: number, system: string, from: Peer, requestId: number) =>
    service.handle(
      {
        type: "reset",
        header: header(requestId, requester),
        body: { targetSubsystem: target, clusterPort: 6001, targetSystemName: system },
      },
      from,
    );
  const dump = (subsystem: number, from: Peer, requestId: number) =>
    service.handle(
      { type: "dump-notice", header: header(requestId, subsystem), body: { clusterPort: 0, systemName: "" } },
      from,
    );
  return { clock, service, runner, port, lines, check, reset, dump, header };
}

const M1 = { addr: "127.0.0.101", port: 6001 };
const M2 = { addr: "127.0.0.102", port: 6001 };

/** Entries of every Map and Set the service holds (whatever their names). */
function tableSizes(service: ResetPathService): number {
  return Object.values(service).reduce((n, v) => (v instanceof Map || v instanceof Set ? n + v.size : n), 0);
}

describe("ResetPathService: unknown senders cost nothing", () => {
  it("H1: 5000 CHECKs from new addr:port pairs (accepted, refused) leave no per-sender entry", () => {
    const h = setup();
    for (let i = 0; i < 5000; i++) {
      const from = { addr: `127.3.${(i >> 8) & 255}.${i & 255}`, port: 10_000 + (i % 50_000) };
      h.check(20_000 + i, i % 2 === 0 ? "NOSUCH" : "PSERVER1", from, i);
    }
    expect(tableSizes(h.service)).toBe(0);
    // The reply echoes the CHECK's requestId from the event, not from a table.
    h.check(10001, "PSERVER2", M1, 4242);
    expect(h.port.of("check-reply", M1.addr).at(-1)?.m.header.requestId).toBe(4242);
  });

  it("M1: a RESET from an unknown requester gets one ERROR/invalid requester, no repeats, no log", async () => {
    const h = setup();
    h.check(10001, "PSERVER1", M1);
    h.reset(10099, 10001, "PSERVER1", { addr: "127.0.0.199", port: 6001 }, 7);
    await h.clock.advance(20_000);
    const results = h.port.of("reset-result", "127.0.0.199");
    expect(results).toHaveLength(1);
    expect(results[0]?.m.body).toMatchObject({ result: "ERROR", detail: "invalidRequester" });
    expect(h.lines.some((l) => l.includes("127.0.0.199"))).toBe(false);
    expect(tableSizes(h.service)).toBe(0);
    expect(h.port.refusals).toContain("unknown-requester");
  });

  it("M1: answers to one unknown source are limited per second", () => {
    const h = setup();
    for (let i = 0; i < 50; i++) h.check(10001, "NOSUCH", { addr: "127.0.0.77", port: 7000 + i }, i);
    expect(h.port.of("check-reply", "127.0.0.77")).toHaveLength(2);
  });
});

describe("ResetPathService: conformance", () => {
  it("a RESET to a node that is not active: FAIL / not active, nothing dispatched", () => {
    const h = setup();
    h.check(10001, "PSERVER1", M1);
    h.check(10002, "PSERVER2", M2);
    const version = h.runner.state.shared.version;
    (h.service as unknown as { o: { role(): string } }).o.role = () => "standby";
    h.reset(10002, 10001, "PSERVER1", M2, 3);
    expect(h.port.of("reset-result", M2.addr).map((s) => s.m.body)).toEqual([
      { targetSubsystem: 10001, result: "FAIL", detail: "notActive" },
    ]);
    expect(h.runner.state.shared.version).toBe(version);
  });

  it("frames of connector-only types sent to the connector are ignored and counted", () => {
    const h = setup();
    h.service.handle(
      { type: "dump-ack", header: h.header(1, 0), body: { subsystem: 1, status: "accepted" } },
      M1,
    );
    expect(h.port.sent).toHaveLength(0);
    expect(h.port.refusals).toEqual(["wrong-direction"]);
  });
});

describe("ResetPathService: ACKs", () => {
  async function completedReset() {
    const h = setup();
    h.check(10001, "PSERVER1", M1);
    h.check(10002, "PSERVER2", M2);
    h.reset(10002, 10001, "PSERVER1", M2, 9);
    await h.clock.advance(100);
    h.dump(10001, M1, 55);
    await h.clock.advance(10);
    return h;
  }

  it("M5: an ATTENTION-ACK cancels only from the monitor the copy went to (port and subsystem)", async () => {
    const h = await completedReset();
    const attention = h.port.of("attention", M2.addr)[0]!.m;
    const ack = (from: Peer, senderId: number) =>
      h.service.handle(
        {
          type: "attention-ack",
          header: h.header(attention.header.requestId, senderId),
          body: { eventId: attention.body.eventId },
        },
        from,
      );
    ack({ addr: M2.addr, port: 6999 }, 10002); // another port of that host
    ack(M2, 10077); // another subsystem
    await h.clock.advance(2500);
    expect(h.port.of("attention", M2.addr).length).toBe(3);
    ack(M2, 10002);
    await h.clock.advance(10_000);
    expect(h.port.of("attention", M2.addr).length).toBe(3);
    expect(h.port.refusals.filter((r) => r === "unmatched-ack")).toHaveLength(2);
  });

  it("M5: a RESULT-ACK must carry the requester's subsystem", async () => {
    const h = await completedReset();
    const result = h.port.of("reset-result", M2.addr)[0]!.m;
    expect(result.body).toMatchObject({ result: "DUMP", detail: "none" });
    const ack = (senderId: number) =>
      h.service.handle(
        { type: "result-ack", header: h.header(9, senderId), body: { targetSubsystem: 10001 } },
        M2,
      );
    ack(10077);
    await h.clock.advance(1500);
    expect(h.port.of("reset-result", M2.addr).length).toBe(2);
    ack(10002);
    await h.clock.advance(10_000);
    expect(h.port.of("reset-result", M2.addr).length).toBe(2);
  });

  it("M5: eventIds on the wire are not the engine's sequence", async () => {
    const h = await completedReset();
    const id = h.port.of("attention", M2.addr)[0]!.m.body.eventId;
    expect(id).not.toBe(h.runner.state.shared.nextEventId - 1);
    expect(id).toBeGreaterThan(0);
  });
});

describe("ResetPathService: DUMP-ACK status (docs/protocol.md §4.8)", () => {
  it("accepted while a reset counted it, the same for a duplicate, recorded otherwise", async () => {
    const h = setup();
    h.check(10001, "PSERVER1", M1);
    h.check(10002, "PSERVER2", M2);
    h.reset(10002, 10001, "PSERVER1", M2, 9);
    await h.clock.advance(100);
    h.dump(10001, M1, 55);
    h.dump(10001, M1, 55); // the notifier's retransmission
    h.dump(10002, M2, 56); // no reset of PSERVER2 in progress
    const acks = h.port.of("dump-ack").map((s) => `${s.m.header.requestId} ${s.m.body.status}`);
    expect(acks).toEqual(["55 accepted", "55 accepted", "56 recorded"]);
    // A notifier restarted later may reuse requestId 55: a new notice then, not a duplicate.
    h.check(10002, "PSERVER2", M2);
    await h.clock.advance(11_000);
    h.reset(10002, 10001, "PSERVER1", M2, 10);
    h.dump(10001, M1, 55);
    expect(h.port.of("dump-ack").at(-1)?.m.body.status).not.toBe("accepted");
  });

  it("rule 2: a copy of a notice answered `recorded` is asked afresh and counts once the reset is in its soft phase", async () => {
    const h = setup();
    h.check(10001, "PSERVER1", M1);
    h.check(10002, "PSERVER2", M2);
    h.dump(10001, M1, 77); // the system's notifier before any reset: recorded, nothing changes
    expect(h.port.of("dump-ack").at(-1)?.m.body.status).toBe("recorded");
    h.reset(10002, 10001, "PSERVER1", M2, 11);
    await h.clock.advance(1_000); // the notifier repeats every 500 ms; one new notice a second
    h.dump(10001, M1, 77); // the same notice again, now in the software-reset phase
    expect(h.port.of("dump-ack").at(-1)?.m.body.status).toBe("accepted");
    expect(
      h.runner.state.shared.monitors[
        Object.keys(h.runner.state.shared.monitors).find(
          (k) => h.runner.state.shared.monitors[k]!.subsystem === 10001,
        )!
      ]?.status,
    ).toBe("dump");
  });

  it("unknown system, or a registered subsystem from another address: `unknown`, engine not asked", () => {
    const h = setup();
    h.check(10001, "PSERVER1", M1);
    const before = h.runner.state.shared.version;
    h.dump(10001, { addr: "127.0.0.66", port: 7000 }, 1); // registered subsystem, wrong address
    h.dump(10055, { addr: "127.0.0.67", port: 7000 }, 2); // nobody
    expect(h.port.of("dump-ack").map((s) => s.m.body.status)).toEqual(["unknownSystem", "unknownSystem"]);
    expect(h.runner.state.shared.version).toBe(before);
    expect(h.lines).toHaveLength(0);
    expect(h.port.refusals.filter((r) => r === "unknown-system")).toHaveLength(2);
  });

  it("fence_kdump: unregistered sources never reach the engine; one a second per registered address", async () => {
    const h = setup();
    h.check(10001, "PSERVER1", M1);
    for (let i = 0; i < 1000; i++) h.service.kdump({ addr: `127.4.${i >> 8}.${i & 255}`, port: 7410 });
    expect(h.lines).toHaveLength(0);
    expect(h.port.refusals.filter((r) => r === "unknown-system")).toHaveLength(1000);
    // From the registered address, during a reset: the first one ends the reset as DUMP; the
    // other 999 of the same second never reach the engine (counted `notice-rate`).
    h.check(10002, "PSERVER2", M2);
    h.reset(10002, 10001, "PSERVER1", M2, 12);
    await h.clock.advance(100);
    for (let i = 0; i < 1000; i++) h.service.kdump({ addr: M1.addr, port: 40_000 + i });
    await h.clock.advance(10);
    expect(h.port.refusals.filter((r) => r === "notice-rate")).toHaveLength(999);
    expect(h.port.of("reset-result", M2.addr).at(-1)?.m.body.result).toBe("DUMP");
    // bounded by the two registrations and the reset in flight, never by the 2000 senders
    expect(tableSizes(h.service)).toBeLessThanOrEqual(4);
  });
});
