// The main thread's side of the ESXi worker against a scripted worker speaking protocol.ts:
// error mapping, deadlines, one message per turn, a worker's death (calls in flight fail, one
// report, a restart after the back-off with the hosts registered again) and close().
import { isDriverError } from "@haconn/config";
import { afterEach, describe, expect, it } from "vitest";
import { EsxiWorkerClient, type EsxiWorkerExit, type EsxiWorkerOptions } from "./client.js";

// By VM name: ok → "on"; fail → DEVICE_REJECTED vim-fault; plain → a non-driver Error; hang →
// never answers; crash → an uncaught throw; exit → process.exit(3); batch → the number of calls
// in the message; hosts → the hosts it knows; started → when this worker started.
const FAKE = `
import { parentPort } from "node:worker_threads";
const hosts = new Map();
const started = String(Date.now()) + Math.random();
const done = (id, value) => parentPort.postMessage({ t: "done", results: [{ id, ok: true, value }] });
const fail = (id, error) => parentPort.postMessage({ t: "done", results: [{ id, ok: false, error }] });
parentPort.on("message", (m) => {
  if (m.t === "host") hosts.set(m.host, m.settings);
  if (m.t === "drop") hosts.delete(m.host);
  if (m.t !== "calls") return;
  for (const c of m.calls) {
    switch (c.vmName) {
      case "ok": done(c.id, "on"); break;
      case "fail": fail(c.id, { name: "DriverError", code: "DEVICE_REJECTED", message: "vim-cmd: InvalidState",
        retryable: false, details: { reason: "vim-fault", fault: "InvalidState" } }); break;
      case "plain": fail(c.id, { name: "TypeError", code: undefined, message: "boom", retryable: undefined, details: undefined }); break;
      case "hang": break;
      case "crash": setTimeout(() => { throw new Error("worker bug"); }, 0); break;
      case "exit": setTimeout(() => process.exit(3), 0); break;
      case "batch": done(c.id, String(m.calls.length)); break;
      case "hosts": done(c.id, [...hosts.values()].map((s) => s.addr).join(",")); break;
      case "started": done(c.id, started); break;
      case "garbage":
        parentPort.postMessage({ t: "done", id: c.id, ok: true, value: "on" });
        parentPort.postMessage({ t: "done", results: [null, { id: c.id, ok: false }] });
        parentPort.postMessage("junk");
        parentPort.postMessage(null);
        done(c.id, "after garbage");
        break;
    }
  }
});
`;
const FAKE_URL = new URL(`data:text/javascript,${encodeURIComponent(FAKE)}`);

const SETTINGS = {
  enabled: true,
  addr: "127.0.0.1",
  port: 22,
  account: "root",
  password: "pw-not-logged",
  hostKey: null,
};

const clients: EsxiWorkerClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

function client(extra: Partial<EsxiWorkerOptions> = {}): EsxiWorkerClient {
  const c = new EsxiWorkerClient({
    hostKeyFile: "/nonexistent/esxi-hostkeys.json",
    workerUrl: FAKE_URL,
    backoff: { initialMs: 100, maxMs: 400 },
    ...extra,
  });
  clients.push(c);
  return c;
}

async function failure(p: Promise<unknown>): Promise<Record<string, unknown>> {
  return p.then(
    () => expect.fail("expected a rejection"),
    (e: unknown) => e as Record<string, unknown>,
  );
}

/** Waits for an event the worker reports (not a clock): polls `cond` every 10 ms, 5 s at most. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
}

describe("ESXi worker client", () => {
  it("returns the worker's result and maps its errors back to DriverErrors with code and details", async () => {
    const c = client();
    const h = c.addHost(SETTINGS);
    expect(await c.call(h, "status", "ok", { timeoutMs: 1000 })).toBe("on");
    const e = await failure(c.call(h, "reset", "fail", { timeoutMs: 1000 }));
    expect(isDriverError(e, "DEVICE_REJECTED")).toBe(true);
    expect(e.message).toBe("vim-cmd: InvalidState");
    expect(e.details).toEqual({ reason: "vim-fault", fault: "InvalidState" });
    expect(e.retryable).toBe(false);
    const plain = await failure(c.call(h, "nmi", "plain", { timeoutMs: 1000 }));
    expect(isDriverError(plain)).toBe(false);
    expect(plain).toMatchObject({ name: "TypeError", message: "boom" });
    expect(plain.code).toBeUndefined();
  });

  it("sends the calls of one turn in one message (a host's guest status batch)", async () => {
    const c = client();
    const h = c.addHost(SETTINGS);
    const answers = await Promise.all([1, 2, 3].map(() => c.call(h, "status", "batch", { timeoutMs: 1000 })));
    expect(answers).toEqual(["3", "3", "3"]);
    expect(await c.call(h, "status", "batch", { timeoutMs: 1000 })).toBe("1");
  });

  it("fails a call the worker does not answer with DEVICE_TIMEOUT after its deadline and the grace", async () => {
    const c = client({ graceMs: 20 });
    const h = c.addHost(SETTINGS);
    const t0 = Date.now();
    const e = await failure(c.call(h, "nmi", "hang", { timeoutMs: 50 }));
    expect(isDriverError(e, "DEVICE_TIMEOUT")).toBe(true);
    expect(e.details).toEqual({ reason: "worker-timeout" });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(65);
  });

  it("ignores and counts messages it does not understand (another version's worker), never crashing", async () => {
    const c = client();
    const h = c.addHost(SETTINGS);
    expect(await c.call(h, "status", "garbage", { timeoutMs: 1000 })).toBe("after garbage");
    expect(c.stats.malformed).toBe(5);
  });

  it("starts no worker before the first call", async () => {
    const c = client();
    c.addHost(SETTINGS);
    await new Promise((r) => setTimeout(r, 20));
    expect(c.stats.starts).toBe(0);
    expect(c.threadId).toBeUndefined();
  });

  for (const how of ["crash", "exit"] as const) {
    it(`a worker that dies (${how}) fails every call in flight, is reported once and restarts after the back-off`, async () => {
      const exits: EsxiWorkerExit[] = [];
      const c = client({ onExit: (e) => exits.push(e) });
      const h = c.addHost(SETTINGS);
      const first = await c.call(h, "status", "started", { timeoutMs: 1000 });
      const inFlight = failure(c.call(h, "reset", "hang", { timeoutMs: 5000 }));
      const killer = failure(c.call(h, "nmi", how, { timeoutMs: 5000 }));
      for (const e of [await inFlight, await killer]) {
        expect(isDriverError(e, "DEVICE_UNREACHABLE")).toBe(true);
        expect(e.details).toEqual({ reason: "worker-exited" });
      }
      expect(exits).toHaveLength(1);
      expect(exits[0]).toMatchObject({ failedCalls: 2, restartInMs: 100 });
      if (how === "exit") expect(exits[0]?.code).toBe(3);
      else expect(exits[0]?.error).toMatch(/worker bug/);
      // Within the back-off: fail fast, no new worker.
      const early = await failure(c.call(h, "status", "ok", { timeoutMs: 1000 }));
      expect(early.details).toEqual({ reason: "worker-restarting" });
      await until(() => c.stats.starts === 2);
      // The new worker knows the host again and answers.
      expect(await c.call(h, "status", "hosts", { timeoutMs: 1000 })).toBe("127.0.0.1");
      expect(await c.call(h, "status", "started", { timeoutMs: 1000 })).not.toBe(first);
    });
  }

  it("doubles the back-off while workers die young (no spin), up to its maximum", async () => {
    const exits: EsxiWorkerExit[] = [];
    const c = client({ onExit: (e) => exits.push(e) });
    const h = c.addHost(SETTINGS);
    for (let i = 0; i < 4; i++) {
      // the (re)started worker, then kill it
      await until(() => c.stats.exits === i && (i === 0 || c.stats.starts === i + 1));
      await failure(c.call(h, "nmi", "exit", { timeoutMs: 5000 }));
    }
    expect(exits.map((e) => e.restartInMs)).toEqual([100, 200, 400, 400]);
    expect(c.stats.starts).toBe(4);
  });

  it("close() terminates the worker; calls in flight and later calls fail", async () => {
    const c = client();
    const h = c.addHost(SETTINGS);
    const inFlight = failure(c.call(h, "reset", "hang", { timeoutMs: 5000 }));
    await until(() => c.threadId !== undefined);
    await c.close();
    const e = await inFlight;
    expect(isDriverError(e, "DEVICE_UNREACHABLE")).toBe(true);
    expect(e.details).toEqual({ reason: "closed" });
    const later = await failure(c.call(h, "status", "ok", { timeoutMs: 1000 }));
    expect(later.details).toEqual({ reason: "closed" });
    await new Promise((r) => setTimeout(r, 150));
    expect(c.stats.starts).toBe(1);
  });
});
