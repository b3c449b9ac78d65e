// Random event sequences: never two jobs for one target, never both members of a pair being
// reset at once, one NMI per job, and every accepted RESET gets exactly one result. RESETs carry
// the FENCE flag half of the time (a retransmission keeps its request's flag).

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildConfig, EngineHarness } from "./test/index.js";

const SERVERS = ["PSERVER1", "PSERVER2", "PSERVER3", "PSERVER4"];
const PAIRS: [number, number][] = [
  [0, 1],
  [2, 3],
];
const sub = (i: number) => 10001 + i;

type Action =
  | { a: "reset"; pair: number; dir: boolean; fence: boolean }
  | { a: "retransmit" }
  | { a: "dump"; s: number }
  | { a: "advance"; ms: number }
  | {
      a: "fail";
      s: number;
      op: "nmi" | "reset" | "status";
      code: "DEVICE_TIMEOUT" | "DEVICE_UNSUPPORTED" | "hang" | null;
    }
  | { a: "power"; s: number; on: boolean }
  | { a: "check"; s: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({
    a: fc.constant("reset" as const),
    pair: fc.integer({ min: 0, max: 1 }),
    dir: fc.boolean(),
    fence: fc.boolean(),
  }),
  fc.constant({ a: "retransmit" as const }),
  fc.record({ a: fc.constant("dump" as const), s: fc.integer({ min: 0, max: 3 }) }),
  fc.record({
    a: fc.constant("advance" as const),
    ms: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 7000 })),
  }),
  fc.record({
    a: fc.constant("fail" as const),
    s: fc.integer({ min: 0, max: 3 }),
    op: fc.constantFrom("nmi" as const, "reset" as const, "status" as const),
    code: fc.constantFrom("DEVICE_TIMEOUT" as const, "DEVICE_UNSUPPORTED" as const, "hang" as const, null),
  }),
  fc.record({ a: fc.constant("power" as const), s: fc.integer({ min: 0, max: 3 }), on: fc.boolean() }),
  fc.record({ a: fc.constant("check" as const), s: fc.integer({ min: 0, max: 3 }) }),
);

async function run(actions: Action[]): Promise<void> {
  const config = buildConfig({
    servers: SERVERS.map((name, i) => ({
      name,
      cluster: true,
      ipdusd: i === 0,
      timeoutSec: i === 0 ? 5 : null,
      recoveryTimeSec: i === 0 ? 5 : null,
      outlets: i === 0 ? [["127.0.3.1", 1]] : [],
    })),
    pdus: ["127.0.3.1"],
    hispeedMs: 2000,
  });
  const h = new EngineHarness(config, {
    start: true,
    controller: () => ({ latencyMs: { reset: 50, nmi: 20 } }),
  });
  try {
    for (const [i, s] of SERVERS.entries()) h.check(sub(i), s, { pair: sub(i ^ 1) });
    let nextId = 1;
    let last: [number, number, number, boolean] | null = null;
    const jobIds = new Map<string, Set<number>>();
    const observe = () => {
      const jobs = h.state.shared.jobs;
      for (const [a, b] of PAIRS) {
        expect(jobs[`6001/${sub(a)}`] && jobs[`6001/${sub(b)}`]).toBeFalsy();
      }
      for (const job of Object.values(jobs)) {
        if (!jobIds.has(job.key)) jobIds.set(job.key, new Set());
        jobIds.get(job.key)?.add(job.id);
      }
    };
    for (const act of actions) {
      switch (act.a) {
        case "reset": {
          const [x, y] = PAIRS[act.pair]!;
          const [from, to] = act.dir ? [x, y] : [y, x];
          last = [from, to, nextId++, act.fence];
          h.reset(sub(from), sub(to), SERVERS[to]!, last[2], { fence: act.fence });
          break;
        }
        case "retransmit":
          if (last) h.reset(sub(last[0]), sub(last[1]), SERVERS[last[1]]!, last[2], { fence: last[3] });
          break;
        case "dump":
          h.dump(sub(act.s));
          break;
        case "advance":
          await h.clock.advance(act.ms);
          break;
        case "fail": {
          const ctl = h.controller(`bmc:${SERVERS[act.s]}`);
          if (act.code === null) delete ctl.fail[act.op];
          else ctl.fail[act.op] = act.code;
          break;
        }
        case "power":
          h.controller(`bmc:${SERVERS[act.s]}`).power = act.on ? "on" : "off";
          break;
        case "check":
          h.check(sub(act.s), SERVERS[act.s]!, { pair: sub(act.s ^ 1) });
          break;
      }
      observe();
      await h.clock.flush();
      observe();
    }
    await h.clock.advance(200_000);
    observe();
    expect(h.state.shared.jobs).toEqual({});
    // One NMI per job.
    SERVERS.forEach((s, i) => {
      expect(h.controller(`bmc:${s}`).count("nmi")).toBe(jobIds.get(`6001/${sub(i)}`)?.size ?? 0);
    });
    // Every request answered exactly once (resends aside). ERROR is stateless: a retransmission
    // is decided afresh and may be answered ERROR again, never anything else once remembered.
    const requests = new Set(
      [...h.sentOf("sendAccepted"), ...h.sentOf("sendResult")].map((e) => `${e.to.addr}#${e.requestId}`),
    );
    const firsts = h.sentOf("sendResult").filter((r) => !r.resend);
    const kept = firsts.filter((r) => !r.stateless).map((r) => `${r.to.addr}#${r.requestId}`);
    expect(new Set(kept).size).toBe(kept.length);
    expect(firsts.filter((r) => r.stateless).every((r) => r.result === "ERROR")).toBe(true);
    expect(new Set(firsts.map((r) => `${r.to.addr}#${r.requestId}`))).toEqual(requests);
    expect(h.portErrors).toEqual([]);
  } finally {
    h.stop();
  }
}

describe("engine properties", () => {
  it("random event sequences keep the invariants", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 40 }), (actions) => run(actions)),
      { numRuns: 150 },
    );
  }, 120_000);
});
