// The two-node fence-race benchmark (issue 18 §4c), slow (≥ 20 trials per device): skipped in the
// suite, run on demand with
//   HACONN_PCMK_RACE_RUNS=20 pnpm exec vitest run --project bench tools/bench/src/pacemaker-race.test.ts
// (HACONN_PCMK_RACE_DEVICES=haconn,ipmilan,ipmilan-delay; HACONN_PCMK_RACE_MODE=cut|request;
// HACONN_PCMK_RACE_JSON=<file> writes the trials).
import { writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type RaceDevice, RaceLab, type RaceMode, type RaceTrial, summarize } from "./pacemaker-race.js";

const RUNS = Number(process.env.HACONN_PCMK_RACE_RUNS ?? 0);
const MODE = (process.env.HACONN_PCMK_RACE_MODE ?? "cut") as RaceMode;
const DEVICES = (process.env.HACONN_PCMK_RACE_DEVICES ?? "haconn,ipmilan,ipmilan-delay").split(
  ",",
) as RaceDevice[];

describe.skipIf(!(RUNS > 0))("two-node fence race on real Pacemaker", () => {
  const all: RaceTrial[] = [];
  for (const device of DEVICES) {
    it(
      `${device}: ${RUNS} races (${MODE})`,
      async () => {
        const race = new RaceLab(device, `hrc${process.pid % 1000}${device.length}`);
        const trials: RaceTrial[] = [];
        try {
          await race.setUp();
          for (let i = 1; i <= RUNS; i++) {
            const t = await race.trial(i, MODE);
            trials.push(t);
            process.stdout.write(
              `${device} trial ${i}: killed [${t.killed.join(" ")}] recovery ${t.recoveryMs ?? "-"} ms\n`,
            );
          }
        } finally {
          await race.tearDown();
          all.push(...trials);
          if (process.env.HACONN_PCMK_RACE_JSON)
            writeFileSync(process.env.HACONN_PCMK_RACE_JSON, `${JSON.stringify(all, null, 1)}\n`);
        }
        process.stdout.write(`${device}: ${JSON.stringify(summarize(trials))}\n`);
        if (device === "haconn") expect(summarize(trials).exactlyOne).toBe(RUNS);
      },
      RUNS * 120_000 + 120_000,
    );
  }
});
