// The `lab` command end to end, as built (tools/lab/dist/lab.js): up, up again after a crash
// (cleans the leftovers), a drill with its timeline and verdict, a pair drill reported as
// skipped, status through the real haconnshow, down — and nothing of the lab left afterwards.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "./paths.js";
import { isLabProcess, labProcesses } from "./processes.js";
import type { LabState } from "./state.js";

const root = repoRoot();
const LAB = join(root, "tools/lab/dist/lab.js");
const BUILT = [
  LAB,
  join(root, "tools/lab/dist/lab-sims.js"),
  join(root, "apps/haconnd/dist/haconnd.js"),
  join(root, "apps/cli/dist/haconnsetup.js"),
  join(root, "apps/cli/dist/haconnshow.js"),
].every((f) => existsSync(f));

describe.skipIf(!BUILT)("lab up → drill → status → down", () => {
  let dir: string;
  const lab = (...args: string[]) => {
    const r = spawnSync(process.execPath, [LAB, ...args], {
      env: { ...process.env, HACONN_LAB_DIR: dir },
      encoding: "utf8",
      timeout: 120_000,
    });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
  };
  const state = () => JSON.parse(readFileSync(join(dir, "state.json"), "utf8")) as LabState;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "haconn-labtest-"));
  });

  afterAll(() => {
    if (!dir) return;
    lab("down");
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it("comes up configured with the real haconnsetup commands, on loopback, and says so", () => {
    const r = lab("up");
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/mode loopback/);
    expect(r.out).toMatch(/pair mode .* not yet available/s);
    expect(r.out).toMatch(
      /\$ haconnsetup pserver add PSERVER6 addr=127\.0\.0\.1:\d+ account=admin cipher=3 ipdusd=on/,
    );
    expect(r.out).toMatch(/haconnd ready: node HACON1 role active/);
    expect(r.out).not.toMatch(/Lab-[0-9a-f]{12}/); // the BMC password never printed
    const s = state();
    expect(s.phase).toBe("up");
    expect(s.processes.map((p) => p.name)).toEqual(["lab-sims", "haconnd"]);
    for (const p of s.processes) expect(isLabProcess(p.pid, dir)).toBe(true);
  }, 120_000);

  it("after a crash (haconnd and the supervisor killed), up cleans the leftovers first", () => {
    const before = state();
    const orphans = Object.values(before.sims!.bmcs).map((b) => b.pid);
    for (const p of before.processes) process.kill(p.pid, "SIGKILL");
    expect(orphans.some((pid) => isLabProcess(pid, dir))).toBe(true); // ipmi_sim outlived them
    const r = lab("up");
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/cleaning up what a previous lab left/);
    for (const pid of [...orphans, ...before.processes.map((p) => p.pid)])
      expect(isLabProcess(pid, dir)).toBe(false);
    expect(state().phase).toBe("up");
  }, 120_000);

  it("runs a drill: timeline from every party's records and a PASS verdict", () => {
    const r = lab("drill", "failure-with-dump");
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/request\s+hamon 10004\s+RESET PSERVER3 \(10003\) sent/);
    expect(r.out).toMatch(/NMI\s+BMC PSERVER3\s+chassis nmi carried out/);
    expect(r.out).toMatch(/result\s+hamon 10004\s+RESET-RESULT DUMP received/);
    expect(r.out).toMatch(/^verdict: PASS failure-with-dump \(expected .*, got .*\)$/m);
  }, 120_000);

  it("reports the pair drills as skipped and refuses an unknown drill", () => {
    const skip = lab("drill", "active-killed");
    expect(skip.code).toBe(0);
    expect(skip.out).toMatch(/^verdict: SKIP active-killed \(needs the pair\)$/m);
    const unknown = lab("drill", "no-such-drill");
    expect(unknown.code).toBe(1);
    expect(unknown.out).toMatch(/LAB_UNKNOWN_DRILL/);
  }, 60_000);

  it("status runs the real haconnshow against the lab", () => {
    const r = lab("status");
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/\$ haconnshow status[\s\S]*PSERVER8\s+pon\s+OK/);
    expect(r.out).toMatch(/\$ haconnshow hamonitor[\s\S]*PSERVER3\s+10003\s+normal/);
    expect(r.out).toMatch(/\$ haconnshow ipdu[\s\S]*IBM_PDU/);
  }, 60_000);

  it("down stops everything and removes the directory; a second down is harmless", () => {
    const r = lab("down");
    expect(r.code, r.out).toBe(0);
    expect(existsSync(dir)).toBe(false);
    expect(labProcesses(dir)).toEqual([]);
    const again = lab("down");
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/nothing was running/);
  }, 60_000);
});
