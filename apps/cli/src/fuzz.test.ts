// Seeded fuzzing of the CLI's argument handling (targets: src/testing/fuzz-targets.ts) on the
// CI budget; the soak is scripts/fuzz.sh. A failing seed printed here replays with
// `scripts/fuzz.sh --target <name> --seed <seed> --cases 1`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { heapUsedAfterGc, runFuzz } from "@haconn/protocol/test";
import { type CliFuzzTargets, cliFuzzTargets } from "./testing/fuzz-targets.js";

const SEED = Number(process.env.HACONN_FUZZ_SEED ?? 20_250_101);
const CASES = Number(process.env.HACONN_FUZZ_CASES ?? 0);
/** Cases per target on the CI budget: the value parsers are cheap, the programs in-process less so. */
const BUDGET: Record<string, number> = {
  "cli-values": 10_000,
  "cli-daemon-commands": 1500,
  "cli-setup": 800,
};

describe("fuzzing the CLI argument parsers", () => {
  let fuzz: CliFuzzTargets;
  beforeAll(async () => {
    fuzz = await cliFuzzTargets();
  });
  afterAll(async () => {
    await fuzz?.close();
  });

  for (const name of Object.keys(BUDGET)) {
    const cases = CASES || BUDGET[name]!;
    it(`${name}: ${cases} cases, documented refusals only, no hang`, async () => {
      const target = fuzz.targets.find((t) => t.name === name)!;
      const report = await runFuzz(target, { seed: SEED, cases, caseTimeoutMs: 5000 });
      expect(report.failures, JSON.stringify(report.failures, null, 1)).toEqual([]);
      expect(report.cases).toBe(cases);
      // Both sides are reached: some inputs are accepted, some refused.
      expect(Object.keys(report.outcomes).length).toBeGreaterThan(1);
    }, 120_000);
  }

  it("memory stays bounded over a batch of in-process commands", async () => {
    const target = fuzz.targets.find((t) => t.name === "cli-daemon-commands")!;
    await runFuzz(target, { seed: 1, cases: 300 });
    const before = await heapUsedAfterGc();
    const report = await runFuzz(target, { seed: 9_000_000, cases: 1500 });
    expect(report.failures).toEqual([]);
    const after = await heapUsedAfterGc();
    expect(after - before).toBeLessThan(16 * 1024 * 1024);
  }, 120_000);
});
