// Every Pacemaker fence figure of issue 18 §5 in one run, on the same simulators: fence time as
// Pacemaker sees it (`stonith_admin --reboot` → exit 0, "fenced OK") through fence_haconn (no
// dump notice; with fence_kdump_send) and fence_ipmilan; the same with a dead BMC (fence_haconn
// with haconn's PDU fallback vs a fence_ipmilan + fence_ipdu topology); kill -9 corosync → Dummy
// started on the survivor. Skipped in the suite; `scripts/bench.sh --only pacemaker` runs it, or
//   HACONN_PCMK_FIG_RUNS=3 [HACONN_PCMK_FIG_JSON=<file>] pnpm exec vitest run --project bench tools/bench/src/pacemaker-figures.test.ts
import { writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type FailoverSample, type FenceSample, type FigureDevice, FigureLab } from "./pacemaker-figures.js";

const RUNS = Number(process.env.HACONN_PCMK_FIG_RUNS ?? 0);

export interface FigureSamples {
  runs: number;
  /** "<device> <case>" → samples. */
  fence: Record<string, FenceSample[]>;
  failover: Record<string, FailoverSample[]>;
  topology?: string;
  seconds: Record<string, number>;
}

const all: FigureSamples = { runs: RUNS, fence: {}, failover: {}, seconds: {} };
const save = () => {
  if (process.env.HACONN_PCMK_FIG_JSON)
    writeFileSync(process.env.HACONN_PCMK_FIG_JSON, `${JSON.stringify(all, null, 1)}\n`);
};
const say = (s: string) => process.stdout.write(`${s}\n`);

describe.skipIf(!(RUNS > 0))("Pacemaker fence figures (issue 18 §5)", () => {
  for (const device of ["haconn", "ipmilan"] as FigureDevice[]) {
    it(
      `${device}: fence time, dead BMC, node failure → Dummy elsewhere (${RUNS} each)`,
      async () => {
        const started = Date.now();
        // Not "hpf": the scenario file uses it (hpf<pid>), and setUp clears leftovers by prefix.
        const lab = new FigureLab(device, `pfg${process.pid % 1000}${device[0]}`);
        const fence = (key: string, s: FenceSample) => {
          const k = `${device} ${key}`;
          all.fence[k] = [...(all.fence[k] ?? []), s];
          say(
            `${device} ${key}: ${s.ms} ms ok=${s.ok} cut=${s.cut} bmc=${s.bmc.join(",") || "-"} | ${s.history}`,
          );
          save();
        };
        try {
          await lab.setUp();
          if (device === "ipmilan") {
            all.topology = await lab.topology();
            say(`fencing topology:\n${all.topology}`);
          }
          for (let i = 0; i < RUNS; i++) fence("reboot", await lab.fenceTime(false));
          if (device === "haconn")
            for (let i = 0; i < RUNS; i++) fence("reboot+dump", await lab.fenceTime(true));
          for (let i = 0; i < RUNS; i++) fence("dead-bmc", await lab.deadBmc());
          for (let i = 0; i < RUNS; i++) {
            const s = await lab.nodeFailure();
            all.failover[device] = [...(all.failover[device] ?? []), s];
            say(
              `${device} node-failure: victim ${s.victim} fenced ${s.fencedMs ?? "-"} ms, Dummy on the survivor ${s.dummyMs ?? "-"} ms`,
            );
            save();
          }
        } finally {
          await lab.tearDown();
          all.seconds[device] = Math.round((Date.now() - started) / 1000);
          save();
        }
        for (const [k, v] of Object.entries(all.fence))
          if (k.startsWith(`${device} `)) for (const s of v) expect(s.ok, k).toBe(true);
        for (const s of all.fence[`${device} dead-bmc`] ?? [])
          expect(s.cut, "dead BMC: outlet cut").toBe(true);
        for (const s of all.failover[device] ?? []) expect(s.dummyMs, "Dummy moved").toBeDefined();
      },
      RUNS * 7 * 150_000 + 180_000,
    );
  }
});
