// The bmc driver (real ipmitool) against OpenIPMI's ipmi_sim on 127.0.0.1.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isDriverError } from "@haconn/config";
import { IpmitoolController } from "@haconn/bmc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IpmiSim } from "./ipmi-sim.js";
import { findIpmitoolProcesses } from "./proc.js";

const modes = [
  { name: "process per call", session: false },
  { name: "shell session", session: true },
] as const;

describe("bmc driver against ipmi_sim (stock, no NMI)", () => {
  let sim: IpmiSim;
  beforeAll(async () => {
    sim = await IpmiSim.start();
  });
  afterAll(async () => {
    await sim?.stop();
  });

  for (const mode of modes) {
    it(`reads the power state and round-trips off/on (${mode.name})`, async () => {
      const bmc = new IpmitoolController(sim.settings(), { session: mode.session });
      try {
        expect(await bmc.status()).toBe("on");
        await bmc.off();
        expect(await sim.power()).toBe("off");
        expect(await bmc.status()).toBe("off");
        await bmc.on();
        expect(await bmc.status()).toBe("on");
        const tail = (await sim.actions()).slice(-2).map((a) => a.action);
        expect(tail).toEqual(["off", "on"]);
      } finally {
        await bmc.close();
      }
    });
  }

  it("hardware reset is carried out by the BMC and recorded with a timestamp", async () => {
    const bmc = new IpmitoolController(sim.settings());
    const before = Date.now();
    await bmc.reset();
    const last = (await sim.actions()).at(-1);
    expect(last?.action).toBe("reset");
    expect(last?.atMs).toBeGreaterThanOrEqual(before - 5);
    expect(last?.atMs).toBeLessThanOrEqual(Date.now() + 5);
  });

  it("stock ipmi_sim rejects chassis power diag: DEVICE_UNSUPPORTED, NMI not supported by device", async () => {
    const bmc = new IpmitoolController(sim.settings());
    const error = await bmc.nmi().catch((e: unknown) => e);
    expect(isDriverError(error, "DEVICE_UNSUPPORTED")).toBe(true);
    expect(String((error as Error).message)).toMatch(/NMI not supported by device/);
    expect(String((error as Error).message)).toMatch(/Invalid data field in request/);
    expect((await sim.actions()).some((a) => a.action === "nmi")).toBe(false);
  });

  for (const mode of modes) {
    it(`a wrong password is DEVICE_AUTH, never shown (${mode.name})`, async () => {
      const bmc = new IpmitoolController(sim.settings({ password: "wrong-pass-42" }), {
        session: mode.session,
      });
      try {
        const error = await bmc.status().catch((e: unknown) => e);
        expect(isDriverError(error, "DEVICE_AUTH")).toBe(true);
        expect(String((error as Error).message)).toMatch(/RAKP 2 HMAC is invalid/);
        expect(
          JSON.stringify({ m: (error as Error).message, d: (error as { details?: unknown }).details }),
        ).not.toContain("wrong-pass-42");
      } finally {
        await bmc.close();
      }
    });
  }

  it("an unknown account is DEVICE_AUTH", async () => {
    const bmc = new IpmitoolController(sim.settings({ account: "nobody" }));
    const error = await bmc.status().catch((e: unknown) => e);
    expect(isDriverError(error, "DEVICE_AUTH")).toBe(true);
    expect(String((error as Error).message)).toMatch(/unauthorized name/);
  });

  it("cipher suite 17 refused by the BMC is a clear DEVICE_AUTH naming the suite, no downgrade", async () => {
    const bmc = new IpmitoolController(sim.settings({ cipher: 17 }));
    const error = await bmc.status().catch((e: unknown) => e);
    expect(isDriverError(error, "DEVICE_AUTH")).toBe(true);
    expect(String((error as Error).message)).toMatch(/refused IPMI cipher suite 17/);
    expect((error as { details?: Record<string, unknown> }).details?.reason).toBe("cipher-suite-refused");
  });

  it("the session mode reuses one ipmitool process across polls", async () => {
    const bmc = new IpmitoolController(sim.settings(), { session: true });
    try {
      await bmc.status();
      const first = await findIpmitoolProcesses(sim.port);
      for (let i = 0; i < 20; i++) expect(await bmc.status()).toMatch(/^(on|off)$/);
      const after = await findIpmitoolProcesses(sim.port);
      expect(first.map((p) => p.pid)).toHaveLength(1);
      expect(after.map((p) => p.pid)).toEqual(first.map((p) => p.pid));
    } finally {
      await bmc.close();
    }
    await expect.poll(async () => (await findIpmitoolProcesses(sim.port)).length, { timeout: 5000 }).toBe(0);
  });

  it("the session restarts after the BMC was frozen past a deadline", async () => {
    const bmc = new IpmitoolController(sim.settings(), { session: true, timeoutMs: 8000 });
    try {
      expect(await bmc.status()).toMatch(/^(on|off)$/);
      sim.freeze();
      const error = await bmc.status({ timeoutMs: 800 }).catch((e: unknown) => e);
      sim.thaw();
      expect(isDriverError(error, "DEVICE_TIMEOUT")).toBe(true);
      expect(await bmc.status()).toMatch(/^(on|off)$/);
    } finally {
      sim.thaw();
      await bmc.close();
    }
  });
});

describe("bmc driver against ipmi_sim with the NMI module", () => {
  let sim: IpmiSim;
  beforeAll(async () => {
    sim = await IpmiSim.start({ nmi: true });
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it("chassis power diag succeeds and the BMC records an nmi; other controls still work", async () => {
    const bmc = new IpmitoolController(sim.settings());
    await bmc.nmi();
    await bmc.reset();
    expect((await sim.actions()).map((a) => a.action)).toEqual(["nmi", "reset"]);
    expect(await bmc.status()).toBe("on");
  });

  describe("a hardware reset armed by the NMI", () => {
    // ipmitool through a wrapper that records each invocation's verb, to tell which process
    // carried the reset.
    let dir: string;
    let wrapper: string;
    const invocations = async () =>
      (await readFile(join(dir, "calls"), "utf8").catch(() => "")).split("\n").filter((l) => l !== "");
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), "haconn-armed-"));
      wrapper = join(dir, "ipmitool");
      await writeFile(
        wrapper,
        `#!/bin/sh\neval last=\\\${$#}\necho "$last" >> "${dir}/calls"\nexec ipmitool "$@"\n`,
        { mode: 0o755 },
      );
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it("the reset goes through the session the NMI opened: no new process, one reset at the BMC", async () => {
      await rm(join(dir, "calls"), { force: true });
      const before = (await sim.actions()).length;
      const bmc = new IpmitoolController(sim.settings(), { ipmitoolPath: wrapper, armResetAfterNmi: true });
      try {
        await bmc.nmi();
        await expect.poll(() => bmc.resetArmed, { timeout: 10_000 }).toBe(true);
        expect(await invocations()).toEqual(["diag", "shell"]);
        await bmc.reset();
        expect(bmc.resetArmed).toBe(false);
        expect(await invocations()).toEqual(["diag", "shell"]);
        expect((await sim.actions()).slice(before).map((a) => a.action)).toEqual(["nmi", "reset"]);
        // Used once: the next reset is a process of its own.
        await bmc.reset();
        expect(await invocations()).toEqual(["diag", "shell", "reset"]);
      } finally {
        await bmc.close();
      }
      await expect
        .poll(async () => (await findIpmitoolProcesses(sim.port)).length, { timeout: 5000 })
        .toBe(0);
    });

    it("an armed session not used within holdMs is closed; the reset then runs as a process", async () => {
      await rm(join(dir, "calls"), { force: true });
      const bmc = new IpmitoolController(sim.settings(), {
        ipmitoolPath: wrapper,
        armResetAfterNmi: { holdMs: 600 },
      });
      try {
        await bmc.nmi();
        await expect.poll(() => bmc.resetArmed, { timeout: 10_000 }).toBe(true);
        await expect
          .poll(async () => (await findIpmitoolProcesses(sim.port)).length, { timeout: 5000 })
          .toBe(0);
        expect(bmc.resetArmed).toBe(false);
        await bmc.reset();
        expect(await invocations()).toEqual(["diag", "shell", "reset"]);
      } finally {
        await bmc.close();
      }
    });

    it("an armed session that died falls back to a fresh process, and the reset still happens once", async () => {
      await rm(join(dir, "calls"), { force: true });
      const before = (await sim.actions()).length;
      const bmc = new IpmitoolController(sim.settings(), { ipmitoolPath: wrapper, armResetAfterNmi: true });
      try {
        await bmc.nmi();
        await expect.poll(() => bmc.resetArmed, { timeout: 10_000 }).toBe(true);
        const [shell] = await findIpmitoolProcesses(sim.port);
        expect(shell?.argv.at(-1)).toBe("shell");
        process.kill(shell!.pid, "SIGKILL");
        await bmc.reset();
        expect(await invocations()).toEqual(["diag", "shell", "reset"]);
        expect((await sim.actions()).slice(before).map((a) => a.action)).toEqual(["nmi", "reset"]);
      } finally {
        await bmc.close();
      }
    });

    it("a BMC that stalls after arming: the armed try gives up after tryMs, a process finishes the reset", async () => {
      await rm(join(dir, "calls"), { force: true });
      const before = (await sim.actions()).length;
      const bmc = new IpmitoolController(sim.settings(), {
        ipmitoolPath: wrapper,
        armResetAfterNmi: { tryMs: 400 },
      });
      try {
        await bmc.nmi();
        await expect.poll(() => bmc.resetArmed, { timeout: 10_000 }).toBe(true);
        sim.freeze();
        const thaw = setTimeout(() => sim.thaw(), 700);
        const started = performance.now();
        await bmc.reset({ timeoutMs: 8000 });
        clearTimeout(thaw);
        expect(performance.now() - started).toBeGreaterThanOrEqual(400);
        expect(await invocations()).toEqual(["diag", "shell", "reset"]);
        // The request the armed session sent may be carried out on thaw too: once or twice.
        const resets = (await sim.actions()).slice(before).filter((a) => a.action === "reset");
        expect(resets.length).toBeGreaterThanOrEqual(1);
        expect(resets.length).toBeLessThanOrEqual(2);
      } finally {
        sim.thaw();
        await bmc.close();
      }
    });

    it("a refused NMI arms nothing", async () => {
      const stock = await IpmiSim.start();
      const bmc = new IpmitoolController(stock.settings(), { armResetAfterNmi: true });
      try {
        await expect(bmc.nmi()).rejects.toThrow(/NMI not supported/);
        expect(bmc.resetArmed).toBe(false);
        expect(await findIpmitoolProcesses(stock.port)).toEqual([]);
      } finally {
        await bmc.close();
        await stock.stop();
      }
    });
  });
});

describe("bmc driver against a slow ipmi_sim", () => {
  let sim: IpmiSim;
  beforeAll(async () => {
    sim = await IpmiSim.start({ password: "slow-bmc-secret-9" });
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it("a deadline shorter than the BMC's delay is DEVICE_TIMEOUT and no ipmitool is left behind", async () => {
    await sim.setDelay(2500);
    const bmc = new IpmitoolController(sim.settings(), { retries: 1, lanTimeoutSec: 5 });
    const started = performance.now();
    const error = await bmc.status({ timeoutMs: 700 }).catch((e: unknown) => e);
    expect(isDriverError(error, "DEVICE_TIMEOUT")).toBe(true);
    expect(performance.now() - started).toBeLessThan(2400);
    expect(await findIpmitoolProcesses(sim.port)).toEqual([]);
  });

  it("the password is in ipmitool's environment, never in its command line", async () => {
    await sim.setDelay(1500);
    const bmc = new IpmitoolController(sim.settings(), { retries: 1, lanTimeoutSec: 5 });
    const call = bmc.status({ timeoutMs: 20_000 });
    let seen: Awaited<ReturnType<typeof findIpmitoolProcesses>> = [];
    await expect
      .poll(
        async () => {
          seen = await findIpmitoolProcesses(sim.port);
          return seen.length;
        },
        { timeout: 10_000, interval: 20 },
      )
      .toBeGreaterThan(0);
    for (const proc of seen) {
      expect(proc.argv.join(" ")).not.toContain(sim.password);
      expect(proc.argv).toContain("-E");
      expect(proc.environ).toContain(`IPMI_PASSWORD=${sim.password}`);
    }
    expect(bmc.maskedCommandLine("status")).not.toContain(sim.password);
    expect(await call).toBe("on");
  });

  it("with a deadline longer than the delay the slow BMC's answer is accepted", async () => {
    await sim.setDelay(1200);
    const bmc = new IpmitoolController(sim.settings(), { retries: 1, lanTimeoutSec: 5 });
    const before = Date.now();
    await bmc.reset({ timeoutMs: 20_000 });
    expect(Date.now() - before).toBeGreaterThanOrEqual(1100);
    expect((await sim.actions()).filter((a) => a.action === "reset")).toHaveLength(1);
    await sim.setDelay(0);
  });
});
