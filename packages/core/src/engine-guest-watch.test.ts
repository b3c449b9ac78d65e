import { afterEach, describe, expect, it } from "vitest";
import { buildConfig, EngineHarness } from "./test/index.js";

const T0 = Date.UTC(2026, 3, 1, 0, 0, 0);
const harnesses: EngineHarness[] = [];
afterEach(() => {
  for (const h of harnesses.splice(0)) h.stop();
});

function make(start = false, hispeedMs: number | null = 1000) {
  const config = buildConfig({
    servers: [{ name: "PSERVER1" }, { name: "VHOST1", virtual: true }],
    hispeedMs,
  });
  const h = new EngineHarness(config, { start });
  harnesses.push(h);
  return h;
}

describe("guest reset through ESXi", () => {
  it("NMI then power.reset after the guest wait (5000 ms, hispeed does not apply), category V", async () => {
    const h = make();
    h.check(10011, "VHOST1", { vmName: "vguest1", port: 6002 });
    h.check(10012, "VHOST1", { vmName: "vguest2", port: 6002 });
    h.reset(10012, 10011, "VHOST1", 1, { port: 6002 });
    await h.clock.advance(4999);
    const guest = h.controller("guest:VHOST1/vguest1");
    expect(guest.count("nmi")).toBe(1);
    expect(guest.count("reset")).toBe(0);
    await h.clock.advance(10);
    expect(guest.calls.find((c) => c.op === "reset")?.at).toBe(T0 + 5000);
    expect(h.controller("bmc:VHOST1").count("reset")).toBe(0);
    expect(h.sentOf("sendAttention")).toMatchObject([{ state: "REBOOT", vmName: "vguest1", category: "V" }]);
    expect(h.bareLines[0]).toBe("RM-RESET VHOST1 10011 RECV 127.0.0.112 6002 10012 V ----");
  });

  it("guest hardware reset failing: FAIL (no PDU path for guests), ESXi link NG", async () => {
    const h = make();
    h.check(10011, "VHOST1", { vmName: "vguest1", port: 6002 });
    h.check(10012, "VHOST1", { vmName: "vguest2", port: 6002 });
    h.controller("guest:VHOST1/vguest1").fail.reset = "DEVICE_UNREACHABLE";
    h.reset(10012, 10011, "VHOST1", 1, { port: 6002 });
    await h.clock.advance(20_000);
    expect(h.sentOf("sendResult")).toMatchObject([{ result: "FAIL" }]);
    expect(h.state.shared.servers.VHOST1?.esxi).toBe("NG");
  });
});

describe("power watch", () => {
  it("polls every 5 s; on→off with no reset: ATTENTION POFF once, status poff; RESET then answers POFF", async () => {
    const h = make(true);
    h.check(10001, "PSERVER1");
    h.check(10011, "VHOST1", { vmName: "vguest1" });
    await h.clock.advance(5000);
    expect(h.controller("bmc:PSERVER1").count("status")).toBe(2);
    expect(h.state.shared.servers.PSERVER1).toMatchObject({ power: "pon", bmc: "OK" });
    h.controller("bmc:PSERVER1").power = "off";
    await h.clock.advance(5000);
    await h.clock.advance(5000);
    expect(h.sentOf("sendAttention")).toMatchObject([
      { state: "POFF", target: 10001, recipients: [{ addr: "127.0.0.111", port: 6001 }] },
    ]);
    expect(h.bareLines).toContain("ATTENTION PSERVER1 10001 SEND 127.0.0.111 6001 ---- P POFF");
    h.reset(10011, 10001, "PSERVER1", 5);
    await h.clock.flush();
    expect(h.sentOf("sendResult")).toMatchObject([{ result: "POFF" }]);
    expect(h.controller("bmc:PSERVER1").count("nmi")).toBe(0);
  });

  it("a guest powered off is announced; BMC errors make the link NG and the status error", async () => {
    const h = make(true);
    h.check(10001, "PSERVER1");
    h.check(10011, "VHOST1", { vmName: "vguest1" });
    await h.clock.advance(5000);
    h.controller("guest:VHOST1/vguest1").power = "off";
    h.controller("bmc:PSERVER1").fail.status = "DEVICE_TIMEOUT";
    await h.clock.advance(5000);
    expect(h.sentOf("sendAttention")).toMatchObject([{ state: "POFF", vmName: "vguest1", category: "V" }]);
    expect(h.state.shared.servers.PSERVER1?.bmc).toBe("NG");
    h.check(10001, "PSERVER1");
    expect(h.sentOf("sendCheckReply").at(-1)).toMatchObject({
      accepted: true,
      resettable: false,
      reasons: ["BMC_NG"],
    });
  });

  it("a system back after a reset returns to normal on a CHECK after the guard time", async () => {
    const h = make();
    h.check(10001, "PSERVER1");
    h.check(10011, "VHOST1", { vmName: "vguest1" });
    h.reset(10011, 10001, "PSERVER1");
    h.dump(10001);
    await h.clock.advance(1000);
    h.check(10001, "PSERVER1");
    expect(h.state.shared.monitors["6001/10001"]?.status).toBe("dump");
    await h.clock.advance(5000);
    h.check(10001, "PSERVER1");
    expect(h.state.shared.monitors["6001/10001"]?.status).toBe("normal");
  });
});
