// The reset path through open ipmitool sessions (real ipmitool against ipmi_sim with the NMI
// module): power actions ride the polling session, ahead of queued polls; a one-shot process is
// only the counted fallback. Regression guard for issue 19 point 1: counts, not times.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IpmitoolController } from "@haconn/bmc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IpmiSim } from "./ipmi-sim.js";
import { findIpmitoolProcesses } from "./proc.js";

/** ipmitool through a wrapper that records each invocation's last argument (verb or "shell"). */
async function recordingIpmitool(): Promise<{ path: string; calls: () => Promise<string[]>; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), "haconn-rp-"));
  const path = join(dir, "ipmitool");
  await writeFile(
    path,
    `#!/bin/sh\neval last=\\\${$#}\necho "$last" >> "${dir}/calls"\nexec ipmitool "$@"\n`,
    {
      mode: 0o755,
    },
  );
  const calls = async () =>
    (await readFile(join(dir, "calls"), "utf8").catch(() => "")).split("\n").filter((l) => l !== "");
  return { path, calls, dir };
}

describe("reset path through the polling session (ipmi_sim with the NMI module)", () => {
  let sim: IpmiSim;
  let wrapper: Awaited<ReturnType<typeof recordingIpmitool>>;
  beforeAll(async () => {
    sim = await IpmiSim.start({ nmi: true });
    wrapper = await recordingIpmitool();
  });
  afterAll(async () => {
    await sim?.stop();
    await rm(wrapper.dir, { recursive: true, force: true });
  });

  it("NMI and hardware reset go through the open session: no process started, both carried out", async () => {
    await rm(join(wrapper.dir, "calls"), { force: true });
    const before = (await sim.actions()).length;
    const bmc = new IpmitoolController(sim.settings(), { session: true, ipmitoolPath: wrapper.path });
    try {
      expect(await bmc.status()).toBe("on"); // the poll opens the session
      await bmc.nmi();
      await bmc.reset();
      expect(await wrapper.calls()).toEqual(["shell"]);
      expect((await sim.actions()).slice(before).map((a) => a.action)).toEqual(["nmi", "reset"]);
      expect(bmc.stats).toMatchObject({
        processCalls: 0,
        processFallbacks: 0,
        shellsStarted: 1,
        sessionCalls: 3,
      });
    } finally {
      await bmc.close();
    }
    await expect.poll(async () => (await findIpmitoolProcesses(sim.port)).length, { timeout: 5000 }).toBe(0);
  });

  it("a refused command leaves the session open; the BMC's answer is final (no second try)", async () => {
    const stock = await IpmiSim.start();
    const bmc = new IpmitoolController(stock.settings(), { session: true });
    try {
      await bmc.warm();
      await expect(bmc.nmi()).rejects.toThrow(/NMI not supported/);
      expect(bmc.sessionReady).toBe(true);
      expect(bmc.stats).toMatchObject({ processCalls: 0, processFallbacks: 0 });
    } finally {
      await bmc.close();
      await stock.stop();
    }
  });

  it("a lost session: the reset falls back to one counted process, the session is re-opened in the background", async () => {
    await rm(join(wrapper.dir, "calls"), { force: true });
    const before = (await sim.actions()).length;
    const bmc = new IpmitoolController(sim.settings(), { session: true, ipmitoolPath: wrapper.path });
    try {
      expect(await bmc.warm()).toBe(true);
      const [shell] = await findIpmitoolProcesses(sim.port);
      process.kill(shell!.pid, "SIGKILL");
      await expect.poll(() => bmc.sessionReady).toBe(false);
      await bmc.reset();
      expect((await sim.actions()).slice(before).map((a) => a.action)).toEqual(["reset"]);
      await expect.poll(() => bmc.sessionReady, { timeout: 10_000 }).toBe(true);
      expect(await wrapper.calls()).toEqual(["shell", "reset", "shell"]);
      expect(bmc.stats).toMatchObject({ processCalls: 1, processFallbacks: 1, shellsStarted: 2, reopens: 1 });
    } finally {
      await bmc.close();
    }
  });

  it("a BMC that stalls: the session try gives up after tryMs, a process finishes the reset", async () => {
    const before = (await sim.actions()).length;
    const bmc = new IpmitoolController(sim.settings(), { session: { tryMs: 400 } });
    try {
      expect(await bmc.warm()).toBe(true);
      sim.freeze();
      const thaw = setTimeout(() => sim.thaw(), 700);
      const started = performance.now();
      await bmc.reset({ timeoutMs: 8000 });
      clearTimeout(thaw);
      expect(performance.now() - started).toBeGreaterThanOrEqual(400);
      expect(bmc.stats).toMatchObject({ processFallbacks: 1 });
      // The request the session sent may be carried out on thaw too: once or twice.
      const resets = (await sim.actions()).slice(before).filter((a) => a.action === "reset");
      expect(resets.length).toBeGreaterThanOrEqual(1);
      expect(resets.length).toBeLessThanOrEqual(2);
    } finally {
      sim.thaw();
      await bmc.close();
    }
  });

  it("a power action goes ahead of queued polls (behind at most the one on the wire)", async () => {
    const bmc = new IpmitoolController(sim.settings(), { session: true });
    try {
      expect(await bmc.warm()).toBe(true);
      await sim.setDelay(150); // every chassis command through the sim's script takes 150 ms
      const order: string[] = [];
      const polls = [1, 2, 3, 4].map((i) => bmc.status().then(() => order.push(`status${i}`)));
      const nmi = bmc.nmi().then(() => order.push("nmi"));
      await Promise.all([...polls, nmi]);
      expect(order.indexOf("nmi")).toBeLessThanOrEqual(1);
      expect(order.filter((o) => o.startsWith("status"))).toEqual([
        "status1",
        "status2",
        "status3",
        "status4",
      ]);
    } finally {
      await sim.setDelay(0);
      await bmc.close();
    }
  });
});

describe("a storm of resets against 8 BMCs (regression guard: no process on the reset path)", () => {
  const N = 8;
  let sims: IpmiSim[] = [];
  beforeAll(async () => {
    sims = await Promise.all(Array.from({ length: N }, () => IpmiSim.start({ nmi: true })));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(sims.map((s) => s.stop()));
  });

  it("every NMI and hardware reset rides the open sessions: 0 processes started, same ipmitool pids", async () => {
    const bmcs = sims.map((s) => new IpmitoolController(s.settings(), { session: true }));
    try {
      await Promise.all(bmcs.map((b) => b.status()));
      const pidsBefore = (await Promise.all(sims.map((s) => findIpmitoolProcesses(s.port)))).map((l) =>
        l.map((p) => p.pid),
      );
      expect(pidsBefore.every((l) => l.length === 1)).toBe(true);
      const started = bmcs.map((b) => b.stats.shellsStarted + b.stats.processCalls);
      // Polls keep running during the storm, as in the daemon.
      const polls = bmcs.map((b) => b.status());
      await Promise.all(bmcs.map((b) => b.nmi()));
      await Promise.all(bmcs.map((b) => b.reset()));
      await Promise.all(polls);
      for (const [i, b] of bmcs.entries()) {
        expect(b.stats.shellsStarted + b.stats.processCalls).toBe(started[i]);
        expect(b.stats.processFallbacks).toBe(0);
      }
      const pidsAfter = (await Promise.all(sims.map((s) => findIpmitoolProcesses(s.port)))).map((l) =>
        l.map((p) => p.pid),
      );
      expect(pidsAfter).toEqual(pidsBefore);
      for (const s of sims) expect((await s.actions()).map((a) => a.action)).toEqual(["nmi", "reset"]);
    } finally {
      await Promise.all(bmcs.map((b) => b.close()));
    }
  }, 60_000);
});
