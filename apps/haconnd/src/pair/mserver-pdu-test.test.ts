import type { OutletLink } from "@haconn/config";
import { SimulatedClock } from "@haconn/core/test";
import { describe, expect, it } from "vitest";
import {
  type MserverPduTestArgs,
  mserverPduTestArgs,
  mserverPduTestBudgetMs,
  type OutletSwitchResult,
  runMserverPduTest,
} from "./mserver-pdu-test.js";

const OUTLETS: OutletLink[] = [
  { pdu: "10.0.0.5:161", outlet: 3 },
  { pdu: "10.0.0.6:161", outlet: 7 },
];

function harness(fail: (link: OutletLink, action: string) => boolean = () => false) {
  const clock = new SimulatedClock(Date.UTC(2026, 3, 1, 0, 0, 0));
  const lines: string[] = [];
  const switches: { at: number; key: string; action: string }[] = [];
  const start = clock.now();
  const run = (args: MserverPduTestArgs) =>
    runMserverPduTest("HACON1", args, {
      clock,
      outlets: OUTLETS,
      pduAddr: (key) => key.split(":")[0]!,
      timeZone: "utc",
      switchOutlet: async (link, action): Promise<OutletSwitchResult> => {
        switches.push({ at: clock.now() - start, key: `${link.pdu}#${link.outlet}`, action });
        return fail(link, action) ? { ok: false, error: { message: "no answer" } } : { ok: true };
      },
      log: (line) => lines.push(line),
    });
  return { clock, lines, switches, run };
}

async function finish<T>(clock: SimulatedClock, p: Promise<T>): Promise<T> {
  let done = false;
  void p.then(() => {
    done = true;
  });
  for (let i = 0; i < 400 && !done; i++) await clock.advance(1000);
  return p;
}

describe("management-server PDU test", () => {
  it("same: cuts every outlet at once, restores them after offtime, logs IPDUSD SEND/RECV", async () => {
    const h = harness();
    const r = await finish(h.clock, h.run({ mode: "same", offtimeSec: 5 }));
    expect(r).toMatchObject({ ok: true, failures: 0, message: "PDU test (same) of HACON1: 0 failure(s)" });
    expect(h.switches).toEqual([
      { at: 0, key: "10.0.0.5:161#3", action: "off" },
      { at: 0, key: "10.0.0.6:161#7", action: "off" },
      { at: 5000, key: "10.0.0.5:161#3", action: "on" },
      { at: 5000, key: "10.0.0.6:161#7", action: "on" },
    ]);
    expect(h.lines).toEqual([
      "[2026/04/01 00:00:00:000000] IPDUSD HACON1 ---- SEND ---- ---- ---- 10.0.0.5 3 OFF",
      "[2026/04/01 00:00:00:000000] IPDUSD HACON1 ---- SEND ---- ---- ---- 10.0.0.6 7 OFF",
      "[2026/04/01 00:00:00:000000] IPDUSD HACON1 ---- RECV ---- ---- ---- 10.0.0.5 3 OFF",
      "[2026/04/01 00:00:00:000000] IPDUSD HACON1 ---- RECV ---- ---- ---- 10.0.0.6 7 OFF",
      "[2026/04/01 00:00:05:000000] IPDUSD HACON1 ---- SEND ---- ---- ---- 10.0.0.5 3 ON",
      "[2026/04/01 00:00:05:000000] IPDUSD HACON1 ---- SEND ---- ---- ---- 10.0.0.6 7 ON",
      "[2026/04/01 00:00:05:000000] IPDUSD HACON1 ---- RECV ---- ---- ---- 10.0.0.5 3 ON",
      "[2026/04/01 00:00:05:000000] IPDUSD HACON1 ---- RECV ---- ---- ---- 10.0.0.6 7 ON",
    ]);
  });

  it("serial: one outlet at a time, offtime off, wtime between outlets", async () => {
    const h = harness();
    const r = await finish(h.clock, h.run({ mode: "serial", offtimeSec: 30, wtimeSec: 7 }));
    expect(r.ok).toBe(true);
    expect(h.switches).toEqual([
      { at: 0, key: "10.0.0.5:161#3", action: "off" },
      { at: 30_000, key: "10.0.0.5:161#3", action: "on" },
      { at: 37_000, key: "10.0.0.6:161#7", action: "off" },
      { at: 67_000, key: "10.0.0.6:161#7", action: "on" },
    ]);
    expect(h.lines.map((l) => l.slice(29))).toEqual([
      "IPDUSD HACON1 ---- SEND ---- ---- ---- 10.0.0.5 3 OFF",
      "IPDUSD HACON1 ---- RECV ---- ---- ---- 10.0.0.5 3 OFF",
      "IPDUSD HACON1 ---- SEND ---- ---- ---- 10.0.0.5 3 ON",
      "IPDUSD HACON1 ---- RECV ---- ---- ---- 10.0.0.5 3 ON",
      "IPDUSD HACON1 ---- SEND ---- ---- ---- 10.0.0.6 7 OFF",
      "IPDUSD HACON1 ---- RECV ---- ---- ---- 10.0.0.6 7 OFF",
      "IPDUSD HACON1 ---- SEND ---- ---- ---- 10.0.0.6 7 ON",
      "IPDUSD HACON1 ---- RECV ---- ---- ---- 10.0.0.6 7 ON",
    ]);
  });

  it("a failed outlet is counted, gets no RECV line, and is still restored", async () => {
    const h = harness((link, action) => link.outlet === 7 && action === "off");
    const r = await finish(h.clock, h.run({ mode: "same", offtimeSec: 5 }));
    expect(r.ok).toBe(false);
    expect(r.failures).toBe(1);
    expect(r.outlets[1]).toMatchObject({ outlet: 7, off: false, on: true, error: "cut: no answer" });
    expect(h.lines.filter((l) => l.includes(" RECV ") && l.endsWith("7 OFF"))).toEqual([]);
    expect(h.switches.filter((s) => s.action === "on")).toHaveLength(2);
  });

  it("checks the arguments as the manual does", () => {
    expect(mserverPduTestArgs({ mode: "same" })).toEqual({ mode: "same", offtimeSec: 5 });
    expect(mserverPduTestArgs({ mode: "serial", offtimeSec: 30 })).toEqual({
      mode: "serial",
      offtimeSec: 30,
      wtimeSec: 5,
    });
    expect(() => mserverPduTestArgs({ mode: "serial", offtimeSec: 29 })).toThrow(/offtime=30-60/);
    expect(() => mserverPduTestArgs({ mode: "same", wtimeSec: 5 })).toThrow(/serial only/);
    expect(() => mserverPduTestArgs({ mode: "same", offtimeSec: 61 })).toThrow(/5-60/);
    expect(() => mserverPduTestArgs({ mode: "same", addr: "10.0.0.5" })).toThrow(/addr/);
    expect(() => mserverPduTestArgs({ mode: "both" })).toThrow(/same or serial/);
    expect(() => mserverPduTestArgs(null)).toThrow(/mode/);
    expect(mserverPduTestBudgetMs({ mode: "serial", offtimeSec: 60, wtimeSec: 60 })).toBeGreaterThan(
      4 * 120_000,
    );
  });
});
