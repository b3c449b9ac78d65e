// The daemon's Devices with ESXi hosts in the worker thread, against the ESXi simulator: the
// engine's guest controllers are proxies (no EsxiHost on this thread), a reload's new Devices
// share the daemon's worker while the retired ones close their hosts only, and Devices without
// the daemon's worker start and stop their own.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isDriverError, resolveConfig } from "@haconn/config";
import { sampleConfig } from "@haconn/config/test";
import { EsxiSim } from "@haconn/lab";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Devices } from "./devices.js";
import { EsxiWorkerClient } from "./esxi-worker/client.js";
import { EsxiGuestProxy } from "./esxi-worker/proxies.js";

const PASSWORD = "sim-Passw0rd";
let sim: EsxiSim;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "haconn-devices-"));
  sim = await EsxiSim.start({ guests: [{ name: "vm01", power: "on" }], password: PASSWORD });
});

afterAll(async () => {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

function config() {
  const c = sampleConfig({ pservers: 1 });
  c.pservers[0]!.vserver = {
    addr: sim.addr,
    port: sim.port,
    account: "root",
    password: PASSWORD,
    enabled: true,
    hostKey: sim.fingerprint,
  };
  return resolveConfig(c);
}

const guest = { type: "guest", system: "PSERVER1", vmName: "vm01" } as const;

describe("Devices with the ESXi worker", () => {
  it("hands the engine proxies; a reload's Devices share the worker, the retired ones close only their hosts", async () => {
    const worker = new EsxiWorkerClient({ hostKeyFile: join(dir, "keys.json") });
    try {
      const before = new Devices(config(), { hostKeyFile: join(dir, "keys.json"), esxiWorker: worker });
      const ctl = before.controller(guest);
      expect(ctl).toBeInstanceOf(EsxiGuestProxy);
      expect(ctl.describe).toBe(`esxi guest vm01 on ${sim.addr}:${sim.port} user=root`);
      expect(await ctl.status({ timeoutMs: 8000 })).toBe("on");
      const after = new Devices(config(), { hostKeyFile: join(dir, "keys.json"), esxiWorker: worker });
      await before.close();
      const closed = await ctl.status({ timeoutMs: 8000 }).catch((e: unknown) => e);
      expect(isDriverError(closed, "DEVICE_UNREACHABLE")).toBe(true);
      expect(await after.controller(guest).status({ timeoutMs: 8000 })).toBe("on");
      await after.esxiHost("PSERVER1").connect({ timeoutMs: 8000 });
      expect(worker.stats.starts).toBe(1);
      await after.close();
    } finally {
      await worker.close();
    }
  });

  it("without the daemon's worker, starts its own on the first ESXi call and stops it in close()", async () => {
    const devices = new Devices(config(), { hostKeyFile: join(dir, "keys.json") });
    const ctl = devices.controller(guest);
    await ctl.nmi?.({ timeoutMs: 8000 });
    expect(sim.host.events.at(-1)).toMatchObject({ action: "nmi", name: "vm01" });
    await devices.close();
    const e = await ctl.status({ timeoutMs: 8000 }).catch((error: unknown) => error);
    expect(isDriverError(e, "DEVICE_UNREACHABLE")).toBe(true);
  });

  it("refuses incomplete vserver settings on this thread, naming the missing fields", () => {
    const c = sampleConfig({ pservers: 1 });
    c.pservers[0]!.vserver = {
      addr: "127.0.0.77",
      port: 22,
      account: null,
      password: null,
      enabled: false,
      hostKey: null,
    };
    const devices = new Devices(resolveConfig(c), { hostKeyFile: join(dir, "keys.json") });
    expect(() => devices.controller(guest)).toThrow("vserver settings incomplete: account, password not set");
  });
});
