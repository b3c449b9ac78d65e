// Seeded fuzzing of every decoder (targets: src/test/fuzz-targets.ts) on the CI budget: a few
// thousand cases per target, each under a time bound, then a larger batch with the heap
// measured before and after. The soak (1 000 000 cases) is scripts/fuzz.sh; a failing seed
// printed here replays with `scripts/fuzz.sh --target <name> --seed <seed> --cases 1`.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { check, FuzzFailure, heapUsedAfterGc, mutateBytes, Rng, runFuzz } from "./test/fuzz.js";
import { loadFixtureCorpus, protocolFuzzTargets } from "./test/fuzz-targets.js";

const corpus = loadFixtureCorpus(join(import.meta.dirname, "fixtures"));
const targets = protocolFuzzTargets(corpus);
const SEED = Number(process.env.HACONN_FUZZ_SEED ?? 20_250_101);
const CASES = Number(process.env.HACONN_FUZZ_CASES ?? 4000);

describe("fuzz engine", () => {
  it("replays: the same seed gives the same inputs", () => {
    const a = new Rng(7);
    const b = new Rng(7);
    const base = corpus.resetPath[0]!;
    for (let i = 0; i < 200; i++) expect(mutateBytes(a, base)).toEqual(mutateBytes(b, base));
    expect(new Rng(8).u32()).not.toBe(new Rng(7).u32());
  });

  it("reports a failing case with its seed, a throw as unexpected, and a slow case", async () => {
    const boom = await runFuzz(
      { name: "t", run: (rng) => check(rng.int(4) !== 0, "hit") },
      { seed: 100, cases: 50, maxFailures: 3 },
    );
    expect(boom.failures.length).toBe(3);
    expect(boom.failures[0]).toMatchObject({ target: "t", message: "hit" });
    const throws = await runFuzz(
      {
        name: "u",
        run: () => {
          throw new TypeError("x");
        },
      },
      { seed: 1, cases: 1 },
    );
    expect(throws.failures[0]!.message).toBe("unexpected TypeError: x");
    const hang = await runFuzz(
      { name: "h", run: () => new Promise<void>(() => undefined) },
      { seed: 1, cases: 1, caseTimeoutMs: 50 },
    );
    expect(hang.failures[0]!.message).toMatch(/hang/);
    expect(new FuzzFailure("m")).toBeInstanceOf(Error);
  });

  it("loads every golden fixture into the corpus", () => {
    expect(corpus.resetPath.length).toBeGreaterThanOrEqual(19);
    expect(corpus.duplex.length).toBeGreaterThanOrEqual(9);
    expect(corpus.fenceKdump.length).toBe(2);
  });
});

describe("fuzzing the decoders", () => {
  for (const target of targets) {
    it(`${target.name}: ${CASES} cases, no throw, no hang, oracles hold`, async () => {
      const report = await runFuzz(target, { seed: SEED, cases: CASES, caseTimeoutMs: 2000 });
      expect(report.failures, JSON.stringify(report.failures, null, 1)).toEqual([]);
      expect(report.cases).toBe(CASES);
    }, 60_000);
  }

  it("memory stays bounded over a larger batch of every target", async () => {
    for (const target of targets) await runFuzz(target, { seed: 1, cases: 500 });
    const before = await heapUsedAfterGc();
    for (const target of targets) {
      const report = await runFuzz(target, { seed: 5_000_000, cases: CASES * 2 });
      expect(report.failures).toEqual([]);
    }
    const after = await heapUsedAfterGc();
    // Nothing a decoder does may accumulate: growth is noise, far below one MiB per 1000 cases.
    expect(after - before).toBeLessThan(16 * 1024 * 1024);
  }, 120_000);
});
