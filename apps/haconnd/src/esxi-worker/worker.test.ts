// The ESXi worker thread for real (worker.ts, run from sources) against the ESXi simulator over
// ssh on 127.0.0.1, through the proxies the daemon's Devices hand to the engine: power state,
// the poll round's one command per host across the thread boundary, NMI and reset carried out,
// the driver's errors as the engine reads them, host keys trusted on first use and recorded.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { getPriority, tmpdir } from "node:os";
import { join } from "node:path";
import { isDriverError, type VirtualServerSettings } from "@haconn/config";
import type { EsxiHostEvent } from "@haconn/esxi";
import { EsxiSim } from "@haconn/lab";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EsxiWorkerClient } from "./client.js";
import { EsxiGuestProxy, EsxiHostLink } from "./proxies.js";

const PASSWORD = "sim-Passw0rd";

let dir: string;
let sim: EsxiSim;
let client: EsxiWorkerClient;
let events: EsxiHostEvent[];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "haconn-esxiw-"));
  sim = await EsxiSim.start({
    guests: [
      { name: "vm01", power: "on" },
      { name: "vm02", power: "off" },
    ],
    password: PASSWORD,
  });
  events = [];
  client = new EsxiWorkerClient({
    hostKeyFile: join(dir, "esxi-hostkeys.json"),
    onEvent: (e) => events.push(e),
  });
});

afterEach(async () => {
  await client.close();
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

function link(password = PASSWORD): EsxiHostLink {
  const settings: VirtualServerSettings = {
    enabled: true,
    addr: sim.addr,
    port: sim.port,
    account: "root",
    password,
    hostKey: null,
  };
  return new EsxiHostLink(client, client.addHost(settings), sim.addr, sim.port, "root");
}

async function failure(p: Promise<unknown>): Promise<Record<string, unknown>> {
  return p.then(
    () => expect.fail("expected a rejection"),
    (e: unknown) => e as Record<string, unknown>,
  );
}

describe("ESXi worker thread against the simulator", () => {
  it("answers the guests' status with one command per host for a poll round, and carries out NMI and reset", async () => {
    const host = link();
    const [vm01, vm02] = [new EsxiGuestProxy(host, "vm01"), new EsxiGuestProxy(host, "vm02")];
    expect(vm01.describe).toBe(`esxi guest vm01 on ${sim.addr}:${sim.port} user=root`);
    await host.connect({ timeoutMs: 8000 });
    const before = sim.commands.length;
    expect(await Promise.all([vm01.status({ timeoutMs: 8000 }), vm02.status({ timeoutMs: 8000 })])).toEqual([
      "on",
      "off",
    ]);
    expect(sim.commands.length - before).toBe(1);
    await vm01.nmi({ timeoutMs: 8000 });
    await vm01.reset({ timeoutMs: 8000 });
    expect(sim.host.events.map((e) => `${e.action} ${e.name}`)).toEqual(["nmi vm01", "reset vm01"]);
    expect(client.threadId).toBeGreaterThan(0);
  });

  it("gives the engine the driver's errors: code, message and details", async () => {
    const host = link();
    const e = await failure(new EsxiGuestProxy(host, "nosuchvm").reset({ timeoutMs: 8000 }));
    expect(isDriverError(e, "DEVICE_NOT_FOUND")).toBe(true);
    expect(e.message).toMatch(/no VM named nosuchvm/);
    expect(e.details).toMatchObject({ reason: "vm-not-found", vmName: "nosuchvm" });
    const off = await failure(new EsxiGuestProxy(host, "vm02").nmi({ timeoutMs: 8000 }));
    expect(isDriverError(off, "DEVICE_REJECTED")).toBe(true);
    expect(off.details).toMatchObject({ reason: "vm-not-running" });
    const denied = await failure(link("wrong-password").connect({ timeoutMs: 8000 }));
    expect(isDriverError(denied, "DEVICE_AUTH")).toBe(true);
    expect(String(denied.message)).not.toContain("wrong-password");
  });

  it("records the host key on first use in the worker and reports it to the main thread's log", async () => {
    await link().connect({ timeoutMs: 8000 });
    const recorded = events.find((e) => e.type === "hostkey-recorded");
    expect(recorded).toMatchObject({ hostId: `${sim.addr}:${sim.port}`, fingerprint: sim.fingerprint });
    const file = JSON.parse(readFileSync(join(dir, "esxi-hostkeys.json"), "utf8"));
    expect(file.hosts[`${sim.addr}:${sim.port}`].fingerprint).toBe(sim.fingerprint);
  });

  it("runs below the main thread when asked (HACONN_HELPER_NICE), and says so", async () => {
    const reports: { tid: number; nice: number; error?: string }[] = [];
    const low = new EsxiWorkerClient({
      hostKeyFile: join(dir, "esxi-hostkeys.json"),
      niceOffset: 3,
      onPriority: (r) => reports.push(r),
    });
    try {
      const settings = {
        enabled: true,
        addr: sim.addr,
        port: sim.port,
        account: "root",
        password: PASSWORD,
        hostKey: null,
      };
      expect(await low.call(low.addHost(settings), "status", "vm01", { timeoutMs: 8000 })).toBe("on");
      const main = getPriority(process.pid);
      expect(reports).toEqual([{ tid: expect.any(Number), nice: Math.min(19, main + 3) }]);
      expect(getPriority(reports[0]!.tid)).toBe(Math.min(19, main + 3));
      expect(getPriority(process.pid)).toBe(main);
    } finally {
      await low.close();
    }
  });
});
