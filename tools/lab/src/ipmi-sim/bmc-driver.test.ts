// The bmc driver (real ipmitool) against OpenIPMI's ipmi_sim on 127.0.0.1.
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
