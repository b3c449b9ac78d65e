// Aggregation rules of the server-outlets controller, on the in-memory fake. The same controller
// runs against the SNMP simulator in tools/lab/src/pdu-sim/ipdu-driver.test.ts.
import { isDriverError } from "@haconn/config";
import { describe, expect, it } from "vitest";
import { ServerOutletsController } from "./server-outlets.js";
import { FakeOutletSwitch } from "./test/index.js";

function rig() {
  const a = new FakeOutletSwitch("10.0.0.1");
  const b = new FakeOutletSwitch("10.0.0.2:1161");
  const pdus = new Map([
    [a.key, a],
    [b.key, b],
  ]);
  const ctl = new ServerOutletsController(
    [
      { pdu: a.key, outlet: 1 },
      { pdu: b.key, outlet: 2 },
    ],
    pdus,
  );
  return { a, b, ctl };
}

describe("ServerOutletsController", () => {
  it("describes its outlets without secrets and refuses empty or dangling links", () => {
    const { ctl } = rig();
    expect(ctl.describe).toBe("ipdu outlets 10.0.0.1#1,10.0.0.2:1161#2");
    expect(() => new ServerOutletsController([], new Map())).toThrow(/no PDU outlet/);
    expect(() => new ServerOutletsController([{ pdu: "x", outlet: 1 }], new Map())).toThrow(/unknown PDU x/);
  });

  it("off() cuts all outlets; a failure throws one error carrying every outlet's result", async () => {
    const { a, b, ctl } = rig();
    await ctl.off();
    expect([a.state(1), b.state(2)]).toEqual(["off", "off"]);
    b.fail(2, "DEVICE_TIMEOUT");
    let error: unknown;
    await ctl.on().catch((e: unknown) => {
      error = e;
    });
    expect(isDriverError(error, "DEVICE_TIMEOUT")).toBe(true);
    const e = error as { retryable: boolean; details: { outlets: { ok: boolean; code?: string }[] } };
    expect(e.retryable).toBe(true);
    expect(e.details.outlets.map((o) => [o.ok, o.code])).toEqual([
      [true, undefined],
      [false, "DEVICE_TIMEOUT"],
    ]);
    expect(a.state(1)).toBe("on");
  });

  it("mixed failure codes: the first failed link's code, retryable only if all are", async () => {
    const { a, b, ctl } = rig();
    a.fail(1, "DEVICE_REJECTED");
    b.fail(2, "DEVICE_TIMEOUT");
    const results = await ctl.cut();
    expect(results.map((r) => r.error?.code)).toEqual(["DEVICE_REJECTED", "DEVICE_TIMEOUT"]);
    const e = await ctl.off().catch((x: unknown) => x);
    expect(isDriverError(e, "DEVICE_REJECTED")).toBe(true);
    expect((e as { retryable: boolean }).retryable).toBe(false);
  });

  it("status: on if any outlet is on, off only if all read off, else the read error", async () => {
    const { a, b, ctl } = rig();
    expect(await ctl.status()).toBe("on");
    await a.setOutlet(1, "off");
    expect(await ctl.status()).toBe("on");
    await b.setOutlet(2, "off");
    expect(await ctl.status()).toBe("off");
    b.fail(2, "DEVICE_UNREACHABLE");
    await expect(ctl.status()).rejects.toMatchObject({ code: "DEVICE_UNREACHABLE" });
    await a.setOutlet(1, "on");
    expect(await ctl.status()).toBe("on");
  });

  it("a read-back that disagrees with the acknowledged set is a failed outlet", async () => {
    const { a, ctl } = rig();
    a.setOutlet = async () => "on";
    const [first] = await ctl.cut();
    expect(first).toMatchObject({ ok: false, state: "on", error: { code: "DEVICE_REJECTED" } });
  });

  it("reset is not a PDU operation", async () => {
    await expect(rig().ctl.reset()).rejects.toMatchObject({ code: "DEVICE_UNSUPPORTED" });
  });
});
