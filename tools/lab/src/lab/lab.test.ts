// The `lab` command end to end on loopback (`lab up --loopback`), as built (tools/lab/dist/lab.js):
// the pair comes up, up again after a crash (cleans the leftovers), a drill with its timeline and
// verdict, the active killed (takeover, fence, restore), status through the real haconnshow on
// both nodes, down — and nothing of the lab left afterwards. lab-netns.test.ts does netns mode.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodePaths, repoRoot } from "./paths.js";
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

  it("brings the pair up on loopback, configured with the real haconnsetup commands, and says so", () => {
    const r = lab("up", "--loopback");
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/mode loopback — HACON1 and HACON2 run as a pair on 127\.0\.0\.0\/8/);
    expect(r.out).toMatch(/--loopback asked for/);
    expect(r.out).toMatch(
      /\$ haconnsetup pserver add PSERVER6 addr=127\.0\.0\.1:\d+ account=admin cipher=3 ipdusd=on/,
    );
    expect(r.out).toMatch(/\$ haconnsetup mlan HACON1 addr=127\.0\.77\.41 port=\d+/);
    expect(r.out).toMatch(/\$ haconnsetup mlan HACON2 addr=127\.0\.77\.42 port=\d+/);
    expect(r.out).toMatch(/haconnd ready: node HACON1/);
    expect(r.out).toMatch(/haconnd ready: node HACON2/);
    expect(r.out).toMatch(
      /pair OK — HACON1 (active|standby) \(link OK\), HACON2 (active|standby) \(link OK\)/,
    );
    expect(r.out).not.toMatch(/Lab-[0-9a-f]{12}/); // the BMC password never printed
    const s = state();
    expect(s.phase).toBe("up");
    expect(s.mode).toBe("loopback");
    expect(s.processes.map((p) => p.name)).toEqual(["lab-sims", "haconnd HACON1", "haconnd HACON2"]);
    for (const p of s.processes) expect(isLabProcess(p.pid, dir)).toBe(true);
    // Each node has its own directories; the same configuration and duplex key (0600) on both.
    const [e1, e2] = ["HACON1", "HACON2"].map((n) => nodePaths(dir, n).etc);
    for (const f of ["haconn.json", "duplex.key"])
      expect(readFileSync(join(e2!, f), "utf8")).toBe(readFileSync(join(e1!, f), "utf8"));
    expect(statSync(join(e1!, "duplex.key")).mode & 0o777).toBe(0o600);
    expect(statSync(join(e2!, "duplex.key")).mode & 0o777).toBe(0o600);
    expect(nodePaths(dir, "HACON1").log).not.toBe(nodePaths(dir, "HACON2").log);
  }, 120_000);

  it("after a crash (haconnd and the supervisor killed), up cleans the leftovers first", () => {
    const before = state();
    const orphans = Object.values(before.sims!.bmcs).map((b) => b.pid);
    for (const p of before.processes) process.kill(p.pid, "SIGKILL");
    expect(orphans.some((pid) => isLabProcess(pid, dir))).toBe(true); // ipmi_sim outlived them
    const r = lab("up", "--loopback");
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

  it("kills the active: the standby fences it, takes the reset path, answers CHECK; the node comes back", () => {
    const r = lab("drill", "active-killed");
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/kill\s+lab\s+kill -9 haconnd HACON\d \(pid \d+\), the active/);
    expect(r.out).toMatch(/fence\s+BMC HACON\d\s+chassis reset carried out: HACON\d fenced HACON\d/);
    expect(r.out).toMatch(
      /VIP move\s+sampler\s+reset path 127\.0\.77\.1:\d+ (now on|moved from HACON\d to) HACON\d/,
    );
    expect(r.out).toMatch(/CHECK\s+hamon 10003\s+first CHECK answered by the new active HACON\d/);
    expect(r.out).toMatch(/phases \(ms after the first kill\): fence \d+ · VIP move \d+ · CHECK \d+/);
    expect(r.out).toMatch(
      /^verdict: PASS active-killed \(expected .*, got .*never two at once.*back as standby, link OK\)$/m,
    );
    // The node that was killed runs again, under its new pid in the state.
    for (const p of state().processes) expect(isLabProcess(p.pid, dir), p.name).toBe(true);
  }, 120_000);

  it("refuses an unknown drill", () => {
    const unknown = lab("drill", "no-such-drill");
    expect(unknown.code).toBe(1);
    expect(unknown.out).toMatch(/LAB_UNKNOWN_DRILL/);
  }, 60_000);

  it("status runs the real haconnshow against both nodes", () => {
    const r = lab("status");
    expect(r.code, r.out).toBe(0);
    for (const node of ["HACON1", "HACON2"]) {
      const shown = r.out.split(`[${node}]$ haconnshow status`)[1]?.split("[HACON")[0] ?? "";
      expect(shown, r.out).toMatch(/link status : OK/);
      // After active-killed the fenced node is back as standby: both management servers normal.
      expect(shown).toMatch(/HACON1\s+127\.0\.0\.1\s+(active|standby)\s+normal/);
      expect(shown).toMatch(/HACON2\s+127\.0\.0\.1\s+(active|standby)\s+normal/);
      expect(shown).toMatch(/PSERVER8\s+pon\s+OK/);
    }
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
