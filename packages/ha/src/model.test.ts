// Runs the Promela model of the election (packages/ha/model/election.pml) through spin:
// safety with fencing working and impossible, liveness with fencing working, and a mutant
// (standby takes over without fencing) that spin must reject, so the check can fail.

import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const model = new URL("../model/election.pml", import.meta.url).pathname;
const hasSpin = existsSync("/usr/bin/spin") && existsSync("/usr/bin/gcc");
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function verify(
  claim: "safety" | "liveness",
  defines: string[],
): { errors: number; states: number; out: string } {
  const dir = mkdtempSync(join(tmpdir(), "haconn-spin-"));
  dirs.push(dir);
  copyFileSync(model, join(dir, "election.pml"));
  const run = (cmd: string, args: string[]) =>
    execFileSync(cmd, args, {
      cwd: dir,
      encoding: "utf8",
      timeout: 540_000,
      stdio: ["ignore", "pipe", "pipe"],
    });
  run("spin", [...defines.map((d) => `-D${d}`), "-a", "election.pml"]);
  run("gcc", ["-O2", "-DNFAIR=4", "-o", "pan", "pan.c"]);
  let out: string;
  try {
    out = run("./pan", ["-a", ...(claim === "liveness" ? ["-f"] : []), "-N", claim, "-m2000000"]);
  } catch (e) {
    out = String((e as { stdout?: string }).stdout ?? e);
  }
  const errors = Number(/errors: (\d+)/.exec(out)?.[1] ?? Number.NaN);
  const states = Number(/(\d+) states, stored/.exec(out)?.[1] ?? Number.NaN);
  return { errors, states, out };
}

describe.skipIf(!hasSpin)("election model (spin)", () => {
  it("never two actives nor two VIP holders, with fencing working", () => {
    const r = verify("safety", ["FENCE_WORKS=true"]);
    expect(r.errors, r.out).toBe(0);
    expect(r.states).toBeGreaterThan(10_000);
    process.stdout.write(`spin safety (fencing works): ${r.states} states\n`);
  }, 600_000);

  it("never two actives nor two VIP holders, with fencing impossible", () => {
    const r = verify("safety", ["FENCE_WORKS=false"]);
    expect(r.errors, r.out).toBe(0);
    process.stdout.write(`spin safety (fencing impossible): ${r.states} states\n`);
  }, 600_000);

  it("a live standby eventually takes over when the active dies and fencing works", () => {
    const r = verify("liveness", ["FENCE_WORKS=true"]);
    expect(r.errors, r.out).toBe(0);
    process.stdout.write(`spin liveness: ${r.states} states\n`);
  }, 600_000);

  it("finds the split brain of a standby that takes over without fencing", () => {
    const r = verify("safety", ["FENCE_WORKS=true", "BROKEN_TAKEOVER"]);
    expect(r.errors).toBeGreaterThan(0);
  }, 600_000);
});
