// The esxi driver against the ESXi simulator: a real ssh2 connection on 127.0.0.1.
import { isDriverError } from "@haconn/config";
import {
  EsxiGuestController,
  EsxiHost,
  type EsxiHostOptions,
  esxiReason,
  isHostKeyMismatch,
  MemoryHostKeyStore,
} from "@haconn/esxi";
import { afterEach, describe, expect, it } from "vitest";
import { EsxiSim, type EsxiSimOptions } from "./server.js";

const PASSWORD = "sim-Passw0rd";
const GUESTS = [
  { name: "vm01", power: "on" as const },
  { name: "vm02", power: "off" as const },
  { name: "db3", power: "suspended" as const, annotation: "two-line\nannotation 7 [x] y.vmx" },
  { name: "app4", power: "on" as const },
];

const sims: EsxiSim[] = [];
const hosts: EsxiHost[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.close()));
  await Promise.all(sims.splice(0).map((s) => s.stop()));
});

async function sim(extra: Partial<EsxiSimOptions> = {}): Promise<EsxiSim> {
  const s = await EsxiSim.start({ guests: GUESTS, password: PASSWORD, ...extra });
  sims.push(s);
  return s;
}

function host(s: EsxiSim, extra: Partial<EsxiHostOptions> = {}): EsxiHost {
  const h = new EsxiHost({
    addr: s.addr,
    port: s.port,
    username: "root",
    password: PASSWORD,
    hostKeyStore: new MemoryHostKeyStore(),
    commandTimeoutMs: 8000,
    backoff: { initialMs: 50, maxMs: 200 },
    ...extra,
  });
  hosts.push(h);
  return h;
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => expect.fail("expected a rejection"),
    (e: unknown) => e,
  );
}

describe("esxi driver against the simulator", () => {
  it("finds guests by name and maps their power state", async () => {
    const s = await sim();
    const h = host(s);
    const g = (name: string) => new EsxiGuestController({ host: h, vmName: name });
    expect(await g("vm01").status()).toBe("on");
    expect(await g("vm02").status()).toBe("off");
    expect(await g("db3").status()).toBe("off");
    expect(await g("db3").powerState()).toBe("suspended");
    expect(await g("app4").vmid()).toBe(4);
    expect(g("vm01").kind).toBe("esxi");
    expect(g("vm01").describe).not.toContain(PASSWORD);
    expect(s.connections).toBe(1); // one connection for everything
  });

  it("answers status on keyboard-interactive-only hosts (as ESXi's default sshd)", async () => {
    const s = await sim({ authMethods: ["keyboard-interactive"] });
    const g = new EsxiGuestController({ host: host(s), vmName: "vm01" });
    expect(await g.status()).toBe("on");
    expect(s.auths.filter((a) => a.accepted).map((a) => a.method)).toEqual(["keyboard-interactive"]);
  });

  it("resets, powers off and on, with the simulator recording each action", async () => {
    const s = await sim();
    const g = new EsxiGuestController({ host: host(s), vmName: "vm01" });
    const before = Date.now();
    await g.reset();
    await g.off();
    expect(await g.status()).toBe("off");
    await g.on();
    expect(await g.status()).toBe("on");
    expect(s.host.events.map((e) => e.action)).toEqual(["reset", "off", "on"]);
    expect(s.host.events.every((e) => e.name === "vm01" && e.at >= before)).toBe(true);
  });

  it("refuses a reset of a powered-off guest with the vim fault attached", async () => {
    const s = await sim();
    const g = new EsxiGuestController({ host: host(s), vmName: "vm02" });
    const e = await failure(g.reset());
    expect(isDriverError(e, "DEVICE_REJECTED")).toBe(true);
    expect((e as { details: Record<string, unknown> }).details.fault).toBe("InvalidPowerState");
    expect(s.host.events).toEqual([]);
  });

  it.each(["vmdumper", "esxcli"] as const)("sends an NMI through the world id (%s)", async (source) => {
    const s = await sim();
    const g = new EsxiGuestController({ host: host(s), vmName: "app4", worldIdSource: source });
    const wid = s.host.guest("app4")?.worldId;
    expect(await g.worldId()).toBe(wid);
    await g.nmi();
    expect(s.host.events).toMatchObject([{ action: "nmi", name: "app4", worldId: wid }]);
    expect(s.commands.map((c) => c.command)).toContain(`vmdumper ${wid} nmi`);
  });

  it("refuses an NMI for a guest that is not running", async () => {
    const s = await sim();
    const e = await failure(new EsxiGuestController({ host: host(s), vmName: "vm02" }).nmi());
    expect(isDriverError(e, "DEVICE_REJECTED")).toBe(true);
    expect(esxiReason(e)).toBe("vm-not-running");
  });

  it("reports an unknown VM as DEVICE_NOT_FOUND", async () => {
    const s = await sim();
    const e = await failure(new EsxiGuestController({ host: host(s), vmName: "vm99" }).status());
    expect(isDriverError(e, "DEVICE_NOT_FOUND")).toBe(true);
    expect((e as Error).message).toContain("vm99");
  });

  it.each([0, 1])("re-reads a stale vmid after a NotFound fault (fault exit status %i)", async (exit) => {
    const s = await sim();
    s.host.faultExitCode = exit;
    const g = new EsxiGuestController({ host: host(s), vmName: "vm01" });
    expect(await g.vmid()).toBe(1);
    s.host.unregister("vm01");
    s.host.register({ name: "vm01", power: "off" });
    expect(await g.powerState()).toBe("off");
    expect(await g.vmid()).toBe(5);
    s.host.unregister("vm01");
    expect(isDriverError(await failure(g.powerState()), "DEVICE_NOT_FOUND")).toBe(true);
    expect(isDriverError(await failure(g.status()), "DEVICE_NOT_FOUND")).toBe(true);
  });

  it("classifies a wrong password as DEVICE_AUTH and never puts the password in the error", async () => {
    const s = await sim();
    const events: unknown[] = [];
    const h = host(s, { password: "wrong-Passw0rd", onEvent: (e) => events.push(e) });
    const e = await failure(new EsxiGuestController({ host: h, vmName: "vm01" }).status());
    expect(isDriverError(e, "DEVICE_AUTH")).toBe(true);
    expect(esxiReason(e)).toBe("auth-refused");
    expect(JSON.stringify({ m: (e as Error).message, d: (e as { details: unknown }).details })).not.toContain(
      "Passw0rd",
    );
    expect(events).toMatchObject([{ type: "connect-failed", code: "DEVICE_AUTH" }]);
    expect(JSON.stringify(events)).not.toContain("Passw0rd");
    s.refuseAuth = true;
    const h2 = host(s);
    expect(isDriverError(await failure(h2.connect()), "DEVICE_AUTH")).toBe(true);
  });

  it("reports nothing listening as DEVICE_UNREACHABLE and backs off before retrying", async () => {
    const s = await sim();
    const port = s.port;
    await s.stop();
    sims.pop();
    const h = new EsxiHost({
      addr: "127.0.0.1",
      port,
      username: "root",
      password: PASSWORD,
      hostKeyStore: new MemoryHostKeyStore(),
      backoff: { initialMs: 60_000, maxMs: 60_000 },
    });
    hosts.push(h);
    const first = await failure(h.connect());
    expect(isDriverError(first, "DEVICE_UNREACHABLE")).toBe(true);
    const second = await failure(h.connect());
    expect(isDriverError(second, "DEVICE_UNREACHABLE")).toBe(true);
    expect((second as { details: { retryInMs: number } }).details.retryInMs).toBeGreaterThan(0);
  });

  it("records the host key on first use, then refuses a changed key naming both fingerprints", async () => {
    const s = await sim();
    const store = new MemoryHostKeyStore();
    const first = s.fingerprint;
    const h = host(s, { hostKeyStore: store });
    await h.connect();
    expect(await store.get(h.hostId)).toBe(first);
    expect(h.fingerprint).toBe(first);

    const second = s.setHostKey(); // the "reinstalled" host presents a new key on new connections
    const h2 = host(s, { hostKeyStore: store });
    const e = await failure(h2.connect());
    expect(isDriverError(e, "DEVICE_AUTH")).toBe(true);
    expect(isHostKeyMismatch(e)).toBe(true);
    expect((e as Error).message).toContain(first);
    expect((e as Error).message).toContain(second);
    expect(await store.get(h.hostId)).toBe(first);
    expect(s.auths).toHaveLength(1); // the mismatch stopped before authentication
  });

  it("accepts a pinned fingerprint and refuses another one", async () => {
    const s = await sim();
    const ok = host(s, { hostKey: s.fingerprint, hostKeyStore: undefined });
    expect(await new EsxiGuestController({ host: ok, vmName: "vm01" }).status()).toBe("on");
    const other = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    const bad = host(s, { hostKey: other, hostKeyStore: undefined });
    const e = await failure(bad.connect());
    expect(isHostKeyMismatch(e)).toBe(true);
    expect((e as Error).message).toContain(other);
    expect((e as Error).message).toContain(s.fingerprint);
  });

  it("reconnects on the next command after the host dropped the connection", async () => {
    const s = await sim();
    const h = host(s);
    const g = new EsxiGuestController({ host: h, vmName: "vm01" });
    expect(await g.status()).toBe("on");
    s.dropConnections();
    await expect.poll(() => h.connected).toBe(false);
    expect(await g.status()).toBe("on");
    expect(s.connections).toBe(2);
  });

  it("reports a connection lost in the middle of a command as DEVICE_UNREACHABLE (outcome unknown)", async () => {
    const s = await sim();
    const h = host(s);
    const g = new EsxiGuestController({ host: h, vmName: "vm01" });
    await g.vmid();
    s.dropOn = /power\.reset/;
    const e = await failure(g.reset());
    expect(isDriverError(e, "DEVICE_UNREACHABLE")).toBe(true);
    expect(esxiReason(e)).toBe("connection-lost");
    s.dropOn = undefined;
    await g.reset();
    expect(s.host.events.map((x) => x.action)).toEqual(["reset"]);
  });

  it("closes a slow command at its deadline with DEVICE_TIMEOUT and keeps the connection", async () => {
    const s = await sim();
    const h = host(s);
    const g = new EsxiGuestController({ host: h, vmName: "vm01" });
    await g.vmid();
    s.delays.push({ match: /getallvms/, ms: 5000 });
    const started = Date.now();
    const e = await failure(g.status({ timeoutMs: 300 }));
    expect(isDriverError(e, "DEVICE_TIMEOUT")).toBe(true);
    expect(Date.now() - started).toBeLessThan(4000);
    s.delays.length = 0;
    expect(await g.status()).toBe("on");
    expect(s.connections).toBe(1);
  });

  it("turns a failing command into DEVICE_REJECTED with stderr attached", async () => {
    const s = await sim();
    s.failures.push({ match: /getallvms/, times: 1, code: 255, stderr: "Connection to hostd failed\n" });
    const g = new EsxiGuestController({ host: host(s), vmName: "vm01" });
    const e = await failure(g.status());
    expect(isDriverError(e, "DEVICE_REJECTED")).toBe(true);
    expect((e as { details: { stderr: string } }).details.stderr).toContain("hostd");
    expect(await g.status()).toBe("on");
  });

  it("refuses output it cannot parse with DEVICE_BAD_OUTPUT", async () => {
    const s = await sim();
    s.failures.push({
      match: /getstate/,
      times: 1,
      code: 0,
      stdout: "Retrieved runtime info\nPowered sideways\n",
    });
    const g = new EsxiGuestController({ host: host(s), vmName: "vm01" });
    const e = await failure(g.powerState());
    expect(isDriverError(e, "DEVICE_BAD_OUTPUT")).toBe(true);
    expect((e as { details: { stdout: string } }).details.stdout).toContain("sideways");
    // The poll's listing without its separator: the guests asked get DEVICE_BAD_OUTPUT, not "off".
    s.failures.push({ match: /getallvms/, times: 1, code: 0, stdout: "Vmid   Name   File\n" });
    const b = await failure(g.status());
    expect(isDriverError(b, "DEVICE_BAD_OUTPUT")).toBe(true);
    expect(await g.status()).toBe("on");
  });

  it("answers every guest asked in the same turn with one exec per host (a count, whatever the number of guests)", async () => {
    const many = Array.from({ length: 17 }, (_, i) => ({
      name: `g${i + 1}`,
      power: i % 3 === 0 ? ("off" as const) : i === 4 ? ("suspended" as const) : ("on" as const),
    }));
    const s = await EsxiSim.start({ guests: many, password: PASSWORD });
    sims.push(s);
    const h = host(s);
    const names = [...many.map((g) => g.name), "nosuch"];
    const guests = names.map((n) => new EsxiGuestController({ host: h, vmName: n }));
    for (let round = 1; round <= 3; round++) {
      const answers = await Promise.allSettled(guests.map((g) => g.status()));
      expect(s.commands).toHaveLength(round); // one exec per round for 18 guests
      expect(answers.slice(0, 17).map((a) => (a.status === "fulfilled" ? a.value : "error"))).toEqual(
        many.map((g) => (g.power === "on" ? "on" : "off")),
      );
      // A guest missing from the host's answer is an error for that guest, never "off".
      const missing = answers[17];
      expect(missing?.status).toBe("rejected");
      expect(isDriverError((missing as PromiseRejectedResult).reason, "DEVICE_NOT_FOUND")).toBe(true);
    }
    expect(s.commands[0]?.command).toBe(
      "vim-cmd vmsvc/getallvms && echo haconn-running-worlds && vmdumper -l",
    );
    expect(h.stats.commands).toBe(3);
  });

  it("a command's ssh work waits for the I/O already ready: nothing is sent in the caller's turn or its microtasks", async () => {
    const s = await sim();
    const h = host(s);
    await h.connect();
    const before = h.stats.commands;
    const running = h.exec("echo ready");
    // The caller's turn and every microtask after it (where a datagram handler's awaits resume)
    // pass without a channel opened: a storm's next RESET datagram is taken first (issue 19).
    for (let i = 0; i < 20; i++) await Promise.resolve();
    expect(h.stats.commands).toBe(before);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(h.stats.commands).toBe(before + 1);
    expect((await running).stdout.trim()).toBe("ready");
  });

  it("a failing poll command fails every guest of that batch, and only that batch", async () => {
    const s = await sim();
    s.failures.push({ match: /vmdumper -l/, times: 1, code: 1, stderr: "vmdumper: cannot list worlds\n" });
    const h = host(s);
    const guests = ["vm01", "vm02"].map((n) => new EsxiGuestController({ host: h, vmName: n }));
    const first = await Promise.allSettled(guests.map((g) => g.status()));
    expect(first.map((a) => a.status)).toEqual(["rejected", "rejected"]);
    expect(isDriverError((first[0] as PromiseRejectedResult).reason, "DEVICE_REJECTED")).toBe(true);
    expect(await Promise.all(guests.map((g) => g.status()))).toEqual(["on", "off"]);
    expect(s.commands).toHaveLength(2);
  });

  it("multiplexes concurrent commands on one connection, bounded by maxChannels", async () => {
    const s = await sim();
    s.delays.push({ match: /getstate/, ms: 200 });
    const h = host(s, { maxChannels: 4 });
    const guests = ["vm01", "vm02", "db3", "app4"].map(
      (n) => new EsxiGuestController({ host: h, vmName: n }),
    );
    await Promise.all(guests.map((g) => g.vmid()));
    const states = await Promise.all([...guests, ...guests].map((g) => g.powerState()));
    expect(states).toEqual(["on", "off", "suspended", "on", "on", "off", "suspended", "on"]);
    expect(s.connections).toBe(1);
    expect(s.maxConcurrentExecs).toBeGreaterThan(1);
    expect(s.maxConcurrentExecs).toBeLessThanOrEqual(4);
    expect(h.stats.maxConcurrentChannels).toBeLessThanOrEqual(4);
  });
});
