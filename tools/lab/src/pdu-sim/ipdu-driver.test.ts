// packages/ipdu's driver against the PDU simulator over real SNMP on loopback.
import { readFileSync } from "node:fs";
import { type DriverError, isDriverError } from "@haconn/config";
import { PduClient, type PduClientOptions, ServerOutletsController } from "@haconn/ipdu";
import { afterEach, describe, expect, it } from "vitest";
import { PduSim, type PduSimOptions } from "./index.js";

const COMMUNITY = "Sekr1tCommunity";
const sims: PduSim[] = [];
const clients: PduClient[] = [];
const seen: string[] = []; // every message/describe/detail the driver produced

async function sim(options: Partial<PduSimOptions> = {}): Promise<PduSim> {
  const s = await PduSim.start({ community: COMMUNITY, ...options });
  sims.push(s);
  return s;
}
function client(s: PduSim, options: Partial<PduClientOptions> = {}): PduClient {
  const c = new PduClient({
    addr: s.address,
    port: s.port,
    community: COMMUNITY,
    attemptTimeoutMs: 400,
    retries: 1,
    ...options,
  });
  clients.push(c);
  seen.push(c.describe);
  return c;
}
async function failure(p: Promise<unknown>): Promise<DriverError> {
  try {
    await p;
  } catch (error) {
    if (!isDriverError(error)) throw error;
    seen.push(error.message, JSON.stringify(error.details ?? {}));
    return error as DriverError;
  }
  throw new Error("expected a DriverError");
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(sims.splice(0).map((s) => s.stop()));
});

describe("PduClient against the simulator", () => {
  it("detects firmware 1.3_3 → column 13, reads and switches outlets, verified by read-back", async () => {
    const s = await sim({ variant: "col13" });
    const c = client(s);
    const d = await c.detect();
    expect(d).toMatchObject({ firmware: "OPDP_sIBM_v01.3_3", sysObjectId: "1.3.6.1.4.1.2.6.223" });
    expect(d.profile.name).toBe("ibm-col13");
    expect(await c.firmwareVersion()).toBe("OPDP_sIBM_v01.3_3");
    expect(await c.outletCount()).toBe(12);
    const states = await c.outletStates();
    expect(states).toHaveLength(12);
    expect(states.every((e) => e.state === "on")).toBe(true);
    expect(await c.setOutlet(4, "off")).toBe("off");
    expect(s.outletState(4)).toBe("off");
    expect(await c.outletState(4)).toBe("off");
    expect(await c.outletState(5)).toBe("on");
    expect(await c.setOutlet(4, "on", { verify: false })).toBeNull();
    expect(s.outletState(4)).toBe("on");
    expect(s.transitions().map((t) => [t.outlet, t.to])).toEqual([
      [4, "off"],
      [4, "on"],
    ]);
  });

  it("detects firmware 1.2_1 → column 11 (fence_ipdu's device) and switches there", async () => {
    const s = await sim({ variant: "col11" });
    const c = client(s);
    expect((await c.detect()).profile.name).toBe("ibm-col11");
    expect(await c.setOutlet(12, "off")).toBe("off");
    expect(s.outletState(12)).toBe("off");
    expect(await c.outletState(12)).toBe("off");
  });

  it("refuses an unknown firmware unless a profile is named", async () => {
    const s = await sim({ variant: "col13", firmware: "OPDP_sIBM_v02.0_4" });
    const e = await failure(client(s).outletState(1));
    expect(e.code).toBe("DEVICE_UNSUPPORTED");
    expect(e.message).toContain("OPDP_sIBM_v02.0_4");
    expect(e.details).toMatchObject({ firmware: "OPDP_sIBM_v02.0_4" });
    const forced = client(s, { profile: "ibm-col13" });
    expect(forced.describe).toContain("profile=ibm-col13");
    expect(await forced.setOutlet(2, "off")).toBe("off");
    expect(s.outletState(2)).toBe("off");
    expect((await failure(client(s, { profile: "no-such" }).outletState(1))).code).toBe("DEVICE_UNSUPPORTED");
  });

  it("refuses a device that is not an IBM iPDU; a wrongly forced profile fails as not found", async () => {
    const other = await sim({ sysObjectId: "1.3.6.1.4.1.318.1.3.4.5" });
    const e = await failure(client(other).outletCount());
    expect(e.code).toBe("DEVICE_UNSUPPORTED");
    expect(e.message).toContain("1.3.6.1.4.1.318.1.3.4.5");
    const s = await sim({ variant: "col13" });
    const wrong = client(s, { profile: "ibm-col11" });
    expect((await failure(wrong.outletState(1))).code).toBe("DEVICE_NOT_FOUND");
    const set = await failure(wrong.setOutlet(1, "off"));
    expect(["DEVICE_NOT_FOUND", "DEVICE_REJECTED"]).toContain(set.code);
    expect(s.outletState(1)).toBe("on");
  });

  it("reports an outlet the PDU does not have as DEVICE_NOT_FOUND", async () => {
    const s = await sim({ outlets: 12 });
    const c = client(s);
    expect((await failure(c.outletState(13))).code).toBe("DEVICE_NOT_FOUND");
    expect((await failure(c.setOutlet(0, "off"))).code).toBe("DEVICE_NOT_FOUND");
  });

  it("classifies a wrong community as a timeout within the deadline, and never shows the community", async () => {
    const s = await sim();
    const c = new PduClient({
      addr: s.address,
      port: s.port,
      community: "wrongOne",
      attemptTimeoutMs: 300,
      retries: 1,
    });
    clients.push(c);
    const t0 = performance.now();
    const e = await failure(c.outletState(1));
    expect(e.code).toBe("DEVICE_TIMEOUT");
    expect(e.retryable).toBe(true);
    expect(e.message).toMatch(/community/);
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(s.received).toBeGreaterThanOrEqual(2); // first attempt + one retry reached the agent
  });

  it("times out on a stopped or muted PDU, waits for a slow one, and honours abort", async () => {
    const slow = await sim();
    slow.setDelay(250);
    const c = client(slow);
    const t0 = performance.now();
    expect(await c.outletState(1)).toBe("on");
    expect(performance.now() - t0).toBeGreaterThanOrEqual(2 * 240); // detect + get
    slow.setDelay(2_000);
    expect((await failure(c.outletState(1, { timeoutMs: 500 }))).code).toBe("DEVICE_TIMEOUT");
    const muted = await sim();
    muted.mute();
    expect((await failure(client(muted).outletState(1))).code).toBe("DEVICE_TIMEOUT");
    const gone = await sim();
    await gone.stop();
    const e = await failure(client(gone).outletState(1));
    expect(["DEVICE_TIMEOUT", "DEVICE_UNREACHABLE"]).toContain(e.code);
    const ac = new AbortController();
    const pending = failure(client(muted).outletState(1, { signal: ac.signal, timeoutMs: 20_000 }));
    setTimeout(() => ac.abort(), 50);
    expect((await pending).code).toBe("DEVICE_TIMEOUT");
  });
});

describe("ServerOutletsController: all outlets of one server across two PDUs", () => {
  async function rig() {
    const a = await sim({ variant: "col11" });
    const b = await sim({ variant: "col13" });
    const pdus = new Map([
      [`${a.address}:${a.port}`, client(a)],
      [`${b.address}:${b.port}`, client(b)],
    ]);
    const links = [
      { pdu: `${a.address}:${a.port}`, outlet: 3 },
      { pdu: `${a.address}:${a.port}`, outlet: 4 },
      { pdu: `${b.address}:${b.port}`, outlet: 3 },
    ];
    const ctl = new ServerOutletsController(links, pdus);
    seen.push(ctl.describe);
    return { a, b, ctl };
  }

  it("cuts and restores every outlet with per-outlet results", async () => {
    const { a, b, ctl } = await rig();
    expect(ctl.kind).toBe("ipdu");
    expect(await ctl.status()).toBe("on");
    const cut = await ctl.cut();
    expect(cut.map((r) => [r.outlet, r.ok, r.state])).toEqual([
      [3, true, "off"],
      [4, true, "off"],
      [3, true, "off"],
    ]);
    expect([a.outletState(3), a.outletState(4), b.outletState(3), a.outletState(5)]).toEqual([
      "off",
      "off",
      "off",
      "on",
    ]);
    expect(await ctl.status()).toBe("off");
    b.setOutletState(3, "on"); // someone switched one back at the panel
    expect(await ctl.status()).toBe("on");
    await ctl.off();
    await ctl.on();
    expect([a.outletState(3), a.outletState(4), b.outletState(3)]).toEqual(["on", "on", "on"]);
    const seq = a.transitions().map((t) => `${t.outlet}${t.to}`);
    // The two outlets of one PDU are switched in parallel: either order within an operation.
    expect(seq.slice(0, 2).sort()).toEqual(["3off", "4off"]);
    expect(seq.slice(2).sort()).toEqual(["3on", "4on"]);
    expect((await failure(ctl.reset())).code).toBe("DEVICE_UNSUPPORTED");
  });

  it("with one PDU dead, cuts the other and reports DEVICE_TIMEOUT for the dead one's outlets within the deadline", async () => {
    const { a, b, ctl } = await rig();
    b.mute();
    const t0 = performance.now();
    const cut = await ctl.cut({ timeoutMs: 1_500 });
    expect(performance.now() - t0).toBeLessThan(8_000);
    expect(cut.map((r) => [r.outlet, r.ok, r.error?.code])).toEqual([
      [3, true, undefined],
      [4, true, undefined],
      [3, false, "DEVICE_TIMEOUT"],
    ]);
    expect([a.outletState(3), a.outletState(4), b.outletState(3)]).toEqual(["off", "off", "on"]);
    const e = await failure(ctl.off({ timeoutMs: 1_500 }));
    expect(e.code).toBe("DEVICE_TIMEOUT");
    expect(e.message).toContain("2 of 3 outlets done");
    expect((e.details as { outlets: unknown[] }).outlets).toHaveLength(3);
    const st = await failure(ctl.status({ timeoutMs: 1_000 }));
    expect(st.code).toBe("DEVICE_TIMEOUT");
    b.mute(false);
    await ctl.on();
    expect(b.outletState(3)).toBe("on");
  });

  it("never put the community in a description, message, error detail or this process's argv", () => {
    expect(seen.length).toBeGreaterThan(10);
    for (const line of seen) expect(line).not.toContain(COMMUNITY);
    expect(readFileSync(`/proc/${process.pid}/cmdline`, "utf8")).not.toContain(COMMUNITY);
  });
});
