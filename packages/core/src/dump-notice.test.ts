// DUMP notices count only for a reset in its software-reset phase and only from the system's
// registered address (issue #17 point 2, rows C2/C3). Simulated clock throughout.

import { afterEach, describe, expect, it } from "vitest";
import { classifyDumpNotice } from "./dump-notice.js";
import { transition } from "./engine.js";
import { buildConfig, EngineHarness } from "./test/index.js";

const harnesses: EngineHarness[] = [];
afterEach(() => {
  for (const h of harnesses.splice(0)) h.stop();
});

/** PSERVER1 = 10001 at 127.0.0.101, PSERVER2 = 10002 at 127.0.0.102; hispeed 1 s. */
function setup() {
  const config = buildConfig({ servers: [{ name: "PSERVER1" }, { name: "PSERVER2" }], hispeedMs: 1000 });
  const h = new EngineHarness(config);
  harnesses.push(h);
  h.check(10001, "PSERVER1");
  h.check(10002, "PSERVER2");
  return h;
}

const ATTACKER = "127.0.0.66";

describe("DUMP notice with no reset in progress (row C2)", () => {
  it("from the registered address: recorded, no ATTENTION, no state change, nothing logged", () => {
    const h = setup();
    const before = h.state;
    expect(classifyDumpNotice(before, { addr: "127.0.0.101", port: 7410 }, 10001)).toEqual({
      kind: "recorded",
      key: "6001/10001",
      system: "PSERVER1",
      subsystem: 10001,
      reason: "noReset",
      dumped: false,
    });
    const [after, effects] = transition(before, {
      type: "dumpNotice",
      now: h.clock.now(),
      from: { addr: "127.0.0.101", port: 7410 },
      subsystem: 10001,
    });
    expect(effects).toEqual([]);
    expect(after.shared).toBe(before.shared);
  });

  it("forged from another address: unknown; a later RESET still goes NMI → hardware reset", async () => {
    const h = setup();
    expect(classifyDumpNotice(h.state, { addr: ATTACKER, port: 7410 }, 10001)).toEqual({ kind: "unknown" });
    const lines = h.lines.length;
    const sent = h.sent.length;
    h.dump(10001, ATTACKER);
    expect(h.sent).toHaveLength(sent);
    expect(h.lines).toHaveLength(lines);
    expect(h.state.shared.monitors["6001/10001"]?.status).toBe("normal");
    h.reset(10002, 10001, "PSERVER1", 4);
    await h.clock.advance(5000);
    const bmc = h.controller("bmc:PSERVER1");
    expect(bmc.count("nmi")).toBe(1);
    expect(bmc.count("reset")).toBe(1);
    expect(h.sentOf("sendAttention")).toMatchObject([{ state: "REBOOT" }]);
    expect(h.sentOf("sendResult")).toMatchObject([{ requestId: 4, result: "DUMP" }]);
  });

  it("an unregistered subsystem is unknown from any address", () => {
    const h = setup();
    expect(classifyDumpNotice(h.state, { addr: "127.0.0.101", port: 7410 }, 4242)).toEqual({
      kind: "unknown",
    });
  });
});

describe("DUMP notice during a reset", () => {
  it("forged from another address in the software-reset phase: the hardware reset is not cancelled", async () => {
    const h = setup();
    h.reset(10002, 10001, "PSERVER1", 9);
    await h.clock.advance(300);
    h.dump(10001, ATTACKER);
    h.dump(null, ATTACKER); // fence_kdump from an address no system is registered at
    expect(h.state.shared.jobs["6001/10001"]?.phase).toBe("soft");
    await h.clock.advance(5000);
    expect(h.controller("bmc:PSERVER1").count("reset")).toBe(1);
    expect(h.sentOf("sendAttention")).toMatchObject([{ state: "REBOOT" }]);
    expect(h.sentOf("sendResult")).toMatchObject([{ requestId: 9, result: "DUMP" }]);
  });

  it("from the registered address in the software-reset phase: accepted, DUMP, no hardware reset", async () => {
    const h = setup();
    h.reset(10002, 10001, "PSERVER1", 9);
    await h.clock.advance(300);
    const job = h.state.shared.jobs["6001/10001"]!;
    expect(classifyDumpNotice(h.state, { addr: "127.0.0.101", port: 7410 }, 10001)).toEqual({
      kind: "accepted",
      key: "6001/10001",
      jobId: job.id,
      system: "PSERVER1",
      subsystem: 10001,
    });
    h.dump(10001);
    await h.clock.advance(5000);
    expect(h.controller("bmc:PSERVER1").count("reset")).toBe(0);
    expect(h.sentOf("sendAttention")).toMatchObject([{ state: "DUMP" }]);
    // A repeat of the notice after the job ended: recorded (dumped), changes nothing.
    expect(classifyDumpNotice(h.state, { addr: "127.0.0.101", port: 7410 }, 10001)).toMatchObject({
      kind: "recorded",
      reason: "noReset",
      dumped: true,
    });
    const version = h.state.shared.version;
    h.dump(10001);
    expect(h.state.shared.version).toBe(version);
    expect(h.sentOf("sendAttention")).toHaveLength(1);
  });

  it("fence_kdump (no subsystem) from the registered address in the software-reset phase: accepted", async () => {
    const h = setup();
    h.reset(10002, 10001, "PSERVER1", 9);
    await h.clock.advance(300);
    expect(classifyDumpNotice(h.state, { addr: "127.0.0.101", port: 7410 }, null)).toMatchObject({
      kind: "accepted",
      key: "6001/10001",
    });
    h.dump(null, "127.0.0.101");
    await h.clock.advance(5000);
    expect(h.controller("bmc:PSERVER1").count("reset")).toBe(0);
    expect(h.sentOf("sendResult")).toMatchObject([{ requestId: 9, result: "DUMP" }]);
  });

  it("fence_kdump outside the software-reset phase (row C3): recorded, the hardware reset stands", async () => {
    const h = setup();
    const sent = h.sent.length;
    h.dump(null, "127.0.0.101"); // no reset at all
    expect(h.sent).toHaveLength(sent);
    expect(h.state.shared.monitors["6001/10001"]?.status).toBe("normal");
    h.controller("bmc:PSERVER1").latencyMs.reset = 500;
    h.reset(10002, 10001, "PSERVER1", 9);
    await h.clock.advance(1100); // hardware reset issued, not yet acknowledged
    expect(h.state.shared.jobs["6001/10001"]?.phase).toBe("hard");
    expect(classifyDumpNotice(h.state, { addr: "127.0.0.101", port: 7410 }, null)).toMatchObject({
      kind: "recorded",
      reason: "notSoftPhase",
    });
    h.dump(null, "127.0.0.101");
    expect(h.sentOf("sendResult")).toEqual([]);
    await h.clock.advance(5000);
    expect(h.sentOf("sendAttention")).toMatchObject([{ state: "REBOOT" }]);
    expect(h.sentOf("sendResult")).toMatchObject([{ requestId: 9, result: "DUMP" }]);
  });

  it("the registered address is the one of the last accepted CHECK", async () => {
    const h = setup();
    // The monitor moved (a live registration moves only on a signed CHECK, or once stale).
    h.check(10001, "PSERVER1", { addr: "127.0.0.201", authenticated: true });
    h.reset(10002, 10001, "PSERVER1", 9);
    await h.clock.advance(300);
    expect(classifyDumpNotice(h.state, { addr: "127.0.0.101", port: 7410 }, 10001).kind).toBe("unknown");
    expect(classifyDumpNotice(h.state, { addr: "127.0.0.201", port: 7410 }, 10001).kind).toBe("accepted");
  });

  it("fence_kdump from an address shared by two systems in their software-reset phase: ambiguous, no action", async () => {
    const config = buildConfig({
      servers: [{ name: "PSERVER1" }, { name: "PSERVER2" }, { name: "PSERVER3" }],
      hispeedMs: 1000,
    });
    const h = new EngineHarness(config);
    harnesses.push(h);
    h.check(10001, "PSERVER1", { addr: "127.0.0.150" });
    h.check(10003, "PSERVER3", { addr: "127.0.0.150" });
    h.check(10002, "PSERVER2");
    h.reset(10002, 10001, "PSERVER1", 1);
    h.reset(10002, 10003, "PSERVER3", 2);
    await h.clock.advance(300);
    expect(classifyDumpNotice(h.state, { addr: "127.0.0.150", port: 7410 }, null)).toMatchObject({
      kind: "recorded",
      reason: "ambiguous",
    });
    // Its subsystem number tells them apart.
    expect(classifyDumpNotice(h.state, { addr: "127.0.0.150", port: 7410 }, 10003)).toMatchObject({
      kind: "accepted",
      key: "6001/10003",
    });
  });
});
