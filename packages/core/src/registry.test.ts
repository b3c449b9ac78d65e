import { afterEach, describe, expect, it } from "vitest";
import { MAX_SYSTEMS } from "./constants.js";
import { buildConfig, EngineHarness, type ServerSpec } from "./test/index.js";

const harnesses: EngineHarness[] = [];
afterEach(() => {
  for (const h of harnesses.splice(0)) h.stop();
});

function make(servers: ServerSpec[]) {
  const h = new EngineHarness(buildConfig({ servers }));
  harnesses.push(h);
  return h;
}

const lastReply = (h: EngineHarness) => h.sentOf("sendCheckReply").at(-1);

describe("HA-monitor registry", () => {
  it("registers, refreshes and learns the pair only with cluster management", () => {
    const h = make([{ name: "PSERVER1", cluster: true }, { name: "PSERVER2" }]);
    h.check(10001, "PSERVER1", { pair: 10002 });
    h.check(10002, "PSERVER2", { pair: 10001 });
    expect(lastReply(h)).toMatchObject({ accepted: true, resettable: true, refusal: null });
    expect(h.state.shared.monitors["6001/10001"]).toMatchObject({
      pair: 10002,
      addr: "127.0.0.101",
      status: "normal",
    });
    expect(h.state.shared.monitors["6001/10002"]?.pair).toBeNull();
  });

  it("refuses unknown systems, guests without VMware, physical systems on a virtual server", () => {
    const h = make([{ name: "PSERVER1" }, { name: "VHOST1", virtual: true }]);
    h.check(10001, "NOSUCH");
    expect(lastReply(h)).toMatchObject({ accepted: false, refusal: "UNKNOWN_SYSTEM" });
    h.check(10001, "PSERVER1", { vmName: "vm1" });
    expect(lastReply(h)).toMatchObject({ accepted: false, refusal: "VMWARE_DISABLED" });
    h.check(10001, "VHOST1");
    expect(lastReply(h)).toMatchObject({ accepted: false, refusal: "VM_NAME_REQUIRED" });
    expect(h.state.shared.monitors).toEqual({});
  });

  it("one system per physical server; a stale one may be replaced", async () => {
    const h = make([{ name: "PSERVER1" }]);
    h.check(10001, "PSERVER1");
    h.check(10005, "PSERVER1");
    expect(lastReply(h)).toMatchObject({ accepted: false, refusal: "SERVER_LIMIT" });
    await h.clock.advance(60_000);
    h.check(10005, "PSERVER1");
    expect(lastReply(h)).toMatchObject({ accepted: true });
    expect(Object.keys(h.state.shared.monitors)).toEqual(["6001/10005"]);
  });

  it("16 guests per virtual server, 256 systems in all", () => {
    const servers: ServerSpec[] = Array.from({ length: 17 }, (_, i) => ({
      name: `VHOST${i + 1}`,
      virtual: true,
    }));
    const h = make(servers);
    for (let g = 0; g < 16; g++) h.check(20000 + g, "VHOST1", { vmName: `vm${g}` });
    expect(lastReply(h)).toMatchObject({ accepted: true });
    h.check(20016, "VHOST1", { vmName: "vm16" });
    expect(lastReply(h)).toMatchObject({ accepted: false, refusal: "GUEST_LIMIT" });
    for (let s = 2; s <= 16; s++) {
      for (let g = 0; g < 16; g++) h.check(s * 100 + g, `VHOST${s}`, { vmName: `vm${g}`, port: 7000 });
    }
    expect(Object.keys(h.state.shared.monitors)).toHaveLength(MAX_SYSTEMS);
    h.check(99999, "VHOST17", { vmName: "vm0", port: 7000 });
    expect(lastReply(h)).toMatchObject({ accepted: false, refusal: "SYSTEM_LIMIT" });
    // A known system keeps refreshing at the limit.
    h.check(20000, "VHOST1", { vmName: "vm0" });
    expect(lastReply(h)).toMatchObject({ accepted: true });
  });

  it("the same VM name under another key is a conflict while the first is fresh", () => {
    const h = make([{ name: "VHOST1", virtual: true }]);
    h.check(10011, "VHOST1", { vmName: "vm1" });
    h.check(10012, "VHOST1", { vmName: "vm1" });
    expect(lastReply(h)).toMatchObject({ accepted: false, refusal: "CONFLICT" });
  });

  it("H3: a live registration does not move to another address on an unsigned CHECK", async () => {
    const h = make([{ name: "PSERVER1" }, { name: "PSERVER2" }]);
    h.check(10001, "PSERVER1", { addr: "127.0.0.101", intervalSec: 10 });
    h.check(10001, "PSERVER1", { addr: "127.0.0.250", intervalSec: 10 }); // squatter, same slot
    expect(lastReply(h)).toMatchObject({ accepted: false, refusal: "SLOT_HELD" });
    h.check(10001, "PSERVER2", { addr: "127.0.0.250", intervalSec: 10 }); // same slot, other identity
    expect(lastReply(h)).toMatchObject({ accepted: false, refusal: "SLOT_HELD" });
    expect(h.state.shared.monitors["6001/10001"]).toMatchObject({ addr: "127.0.0.101", system: "PSERVER1" });
    // The real monitor's RESETs still count (not ERROR).
    h.check(10002, "PSERVER2", { addr: "127.0.0.102" });
    h.reset(10001, 10002, "PSERVER2", 1, { addr: "127.0.0.101" });
    expect(h.sentOf("sendAccepted")).toHaveLength(1);
    expect(h.notices.some((n) => n.includes("moved"))).toBe(false);
  });

  it("H3: a signed CHECK moves a live registration; an unsigned one only after 3 missed periods; both logged", async () => {
    const h = make([{ name: "PSERVER1" }]);
    h.check(10001, "PSERVER1", { addr: "127.0.0.101", intervalSec: 10 });
    h.check(10001, "PSERVER1", { addr: "127.0.0.201", intervalSec: 10, authenticated: true });
    expect(lastReply(h)).toMatchObject({ accepted: true });
    expect(h.state.shared.monitors["6001/10001"]?.addr).toBe("127.0.0.201");
    await h.clock.advance(29_000);
    h.check(10001, "PSERVER1", { addr: "127.0.0.101", intervalSec: 10 });
    expect(lastReply(h)).toMatchObject({ accepted: false, refusal: "SLOT_HELD" });
    await h.clock.advance(1000); // 30 s = 3 periods of silence
    h.check(10001, "PSERVER1", { addr: "127.0.0.101", intervalSec: 10 });
    expect(lastReply(h)).toMatchObject({ accepted: true });
    expect(h.notices.filter((n) => n.includes("moved"))).toHaveLength(2);
  });

  it("H3: 16 squatted guest slots expire when the squatter is silent; live ones are never taken", async () => {
    const h = make([{ name: "VHOST1", virtual: true }]);
    for (let g = 0; g < 16; g++)
      h.check(30000 + g, "VHOST1", { vmName: `fake${g}`, addr: "127.0.0.250", intervalSec: 10 });
    h.check(20001, "VHOST1", { vmName: "realvm", addr: "127.0.0.121", intervalSec: 10 });
    expect(lastReply(h)).toMatchObject({ accepted: false, refusal: "GUEST_LIMIT" });
    // The real guest's VM name taken by a squatter from another address: not moved while live.
    h.check(20002, "VHOST1", { vmName: "fake0", addr: "127.0.0.122", intervalSec: 10 });
    expect(lastReply(h)).toMatchObject({ accepted: false });
    await h.clock.advance(30_000);
    h.check(20001, "VHOST1", { vmName: "realvm", addr: "127.0.0.121", intervalSec: 10 });
    expect(lastReply(h)).toMatchObject({ accepted: true });
  });
});
