// Real ipmitool against peers that are not BMCs: a closed port and a UDP socket that receives
// but never answers. Tests against a simulated BMC (ipmi_sim) are in tools/lab/src/ipmi-sim.
import { createSocket, type Socket } from "node:dgram";
import { readdir, readFile } from "node:fs/promises";
import { isDriverError } from "@haconn/config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IpmitoolController } from "./ipmitool-controller.js";

async function bindUdp(): Promise<Socket> {
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", () => resolve()));
  return socket;
}

/** Processes (ipmitool, or its session guard) whose argv names `-p <port>`. */
async function ipmitoolsOnPort(port: number): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = await readFile(`/proc/${entry}/cmdline`, "utf8").then(
      (t) => t.split("\0"),
      () => [] as string[],
    );
    const p = argv.indexOf("-p");
    if (argv.some((a) => a.endsWith("ipmitool")) && p >= 0 && argv[p + 1] === String(port))
      pids.push(Number(entry));
  }
  return pids;
}

/** Our own children that are still running (ipmitool, setpriv, or any wrapper). */
async function ourChildren(): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const argv = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    if (Number(fields[1]) === process.pid && fields[0] !== "Z" && /ipmitool|setpriv|\bsh\b/.test(argv))
      pids.push(Number(entry));
  }
  return pids;
}

const settings = (port: number) => ({
  addr: "127.0.0.1",
  port,
  account: "admin",
  password: "not-a-real-pw1",
  cipher: 3,
});

describe("IpmitoolController without a BMC", () => {
  let closedPort: number;
  let blackHole: Socket;
  let received = 0;
  beforeAll(async () => {
    const probe = await bindUdp();
    closedPort = probe.address().port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    blackHole = await bindUdp();
    blackHole.on("message", () => {
      received++;
    });
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => blackHole.close(() => resolve()));
  });

  it("nothing listening: DEVICE_UNREACHABLE from ipmitool itself, before the default deadline", async () => {
    const bmc = new IpmitoolController(settings(closedPort));
    const started = performance.now();
    const error = await bmc.status().catch((e: unknown) => e);
    const elapsed = performance.now() - started;
    expect(isDriverError(error, "DEVICE_UNREACHABLE")).toBe(true);
    expect((error as Error).message).toMatch(/no IPMI answer/);
    expect(elapsed).toBeLessThan(10_000); // default deadline; ipmitool gives up after ~6 s
    expect(await ipmitoolsOnPort(closedPort)).toEqual([]);
  }, 20_000);

  it("a peer that swallows requests: DEVICE_TIMEOUT at the deadline, the process group killed", async () => {
    const bmc = new IpmitoolController(settings(blackHole.address().port), { retries: 5, lanTimeoutSec: 5 });
    const before = received;
    const error = await bmc.status({ timeoutMs: 600 }).catch((e: unknown) => e);
    expect(isDriverError(error, "DEVICE_TIMEOUT")).toBe(true);
    expect((error as Error).message).toMatch(/within 600 ms \(ipmitool killed\)/);
    expect(received).toBeGreaterThan(before); // ipmitool really talked to it
    expect(await ipmitoolsOnPort(blackHole.address().port)).toEqual([]);
  });

  it("an aborted call kills ipmitool too", async () => {
    const bmc = new IpmitoolController(settings(blackHole.address().port), { retries: 5, lanTimeoutSec: 5 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const error = await bmc.reset({ signal: controller.signal }).catch((e: unknown) => e);
    expect(isDriverError(error, "DEVICE_TIMEOUT")).toBe(true);
    expect(await ipmitoolsOnPort(blackHole.address().port)).toEqual([]);
  });

  it("session mode: a deadline kills ipmitool; no wrapper process is left", async () => {
    const bmc = new IpmitoolController(settings(blackHole.address().port), {
      session: true,
      retries: 5,
      lanTimeoutSec: 5,
    });
    const error = await bmc.status({ timeoutMs: 600 }).catch((e: unknown) => e);
    expect(isDriverError(error, "DEVICE_TIMEOUT")).toBe(true);
    await bmc.close();
    await expect.poll(() => ipmitoolsOnPort(blackHole.address().port), { timeout: 3000 }).toEqual([]);
    await expect.poll(() => ourChildren(), { timeout: 3000 }).toEqual([]);
  });

  it("a missing ipmitool binary is reported, not thrown raw", async () => {
    const bmc = new IpmitoolController(settings(closedPort), { ipmitoolPath: "/nonexistent/ipmitool" });
    const error = await bmc.status().catch((e: unknown) => e);
    expect(isDriverError(error, "DEVICE_UNREACHABLE")).toBe(true);
    expect((error as Error).message).toMatch(/cannot run \/nonexistent\/ipmitool/);
  });

  it("describe and the masked command line never carry the password", () => {
    const bmc = new IpmitoolController(settings(closedPort));
    expect(bmc.kind).toBe("bmc");
    expect(bmc.describe).toBe(`bmc 127.0.0.1:${closedPort} user=admin cipher=3`);
    expect(bmc.maskedCommandLine("nmi")).toMatch(/chassis power diag/);
    expect(bmc.maskedCommandLine("reset")).not.toContain("not-a-real-pw1");
    expect(bmc.commandArgs("off").join(" ")).not.toContain("not-a-real-pw1");
  });
});
