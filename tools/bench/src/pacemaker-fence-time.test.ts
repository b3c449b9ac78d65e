// Fence time as Pacemaker sees it (issue 18 §5): `stonith_admin --reboot` → exit 0 ("fenced OK"),
// through fence_haconn (no dump notice: NMI, hispeed 2 s, hardware reset; with fence_kdump_send:
// DUMP) and through fence_ipmilan (off, on) on the same simulators. On demand:
//   HACONN_PCMK_FENCE_RUNS=5 pnpm exec vitest run --project bench tools/bench/src/pacemaker-fence-time.test.ts
import { describe, expect, it } from "vitest";
import { type RaceDevice, RaceLab } from "./pacemaker-race.js";

const RUNS = Number(process.env.HACONN_PCMK_FENCE_RUNS ?? 0);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

describe.skipIf(!(RUNS > 0))("fence time as Pacemaker sees it", () => {
  const variants: [RaceDevice, boolean][] = [
    ["haconn", false],
    ["haconn", true],
    ["ipmilan", false],
  ];
  for (const [device, kdump] of variants) {
    it(
      `${device}${kdump ? " + fence_kdump_send" : ""}: ${RUNS} × stonith_admin --reboot`,
      async () => {
        const lab = new RaceLab(device, `hft${process.pid % 1000}${kdump ? "k" : ""}${device.length}`);
        const times: number[] = [];
        try {
          await lab.setUp();
          for (let i = 1; i <= RUNS; i++) {
            const r = await lab.fenceTime(kdump);
            process.stdout.write(
              `${device}${kdump ? "+kdump" : ""} run ${i}: ${r.ms} ms ok=${r.ok} bmc=${r.bmc.join(",")}\n`,
            );
            expect(r.ok).toBe(true);
            times.push(r.ms);
          }
        } finally {
          await lab.tearDown();
        }
        process.stdout.write(
          `${device}${kdump ? "+kdump" : ""}: median ${median(times)} ms, min ${Math.min(...times)}, max ${Math.max(...times)} (n=${times.length})\n`,
        );
      },
      RUNS * 120_000 + 120_000,
    );
  }
});
