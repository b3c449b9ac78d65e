// The CI budget check shared by budget-a/b.test.ts.
import type { ExpectStatic } from "vitest";
import { formatViolation, runBatch } from "../batch.js";
import type { InvariantName } from "../world.js";

/**
 * Invariants with an open finding (docs/reliability.md), tolerated below 2 % of runs. Empty:
 * F1 and F2 are fixed, every invariant must hold in every run.
 */
export const KNOWN_FINDINGS: readonly InvariantName[] = [];

export function checkBudget(expect: ExpectStatic, first: number, count: number): void {
  const batch = runBatch(first, count);
  const unexpected = batch.failures.filter((f) => !KNOWN_FINDINGS.includes(f.violations[0]!.invariant));
  const rate = (batch.failures.length / batch.runs) * 100;
  process.stdout.write(
    `sim: ${batch.runs} runs in ${(batch.elapsedMs / 1000).toFixed(1)} s (${(batch.runs / (batch.elapsedMs / 1000)).toFixed(0)} runs/s), ${batch.failures.length} known-finding violations (${rate.toFixed(2)}%)\n`,
  );
  expect(batch.runs).toBe(count);
  expect(unexpected.map((f) => formatViolation(f))).toEqual([]);
  expect(rate).toBeLessThan(2);
}
