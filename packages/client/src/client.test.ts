import { generateAuthKey, type KeyRing, RESET_MAX_SENDS, type ResetPathMessage } from "@haconn/protocol";
import { SimulatedClock } from "@haconn/core/test";
import { afterEach, describe, expect, it } from "vitest";
import { HaconnClient } from "./client.js";
import { isClientError } from "./errors.js";
import { MemoryNetwork, ScriptedConnector } from "./test/index.js";

const TARGET = { subsystem: 10001, systemName: "PSERVER1" };
const REG = { systemName: "PSERVER2", pairSubsystem: 10001 };
const clients: HaconnClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

function setup(o: { keys?: KeyRing; connectorKeys?: KeyRing } = {}) {
  const clock = new SimulatedClock();
  const net = new MemoryNetwork();
  const conn = new ScriptedConnector(net, () => clock.now(), o.connectorKeys ?? o.keys);
  const client = HaconnClient.onSocket(net.socket("127.0.0.2", 6001), {
    connector: conn.endpoint,
    subsystem: 10002,
    clock,
    keys: o.keys,
  });
  clients.push(client);
  return { clock, net, conn, client };
}

function ring(): KeyRing {
  const k = generateAuthKey(1);
  return { keys: [k], send: k };
}

/** Settles `p` so an expected rejection is not reported as unhandled while the clock runs. */
function settle<T>(p: Promise<T>) {
  const s = { value: undefined as T | undefined, error: undefined as unknown, done: false };
  p.then(
    (v) => Object.assign(s, { value: v, done: true }),
    (e) => Object.assign(s, { error: e, done: true }),
  );
  return s;
}

/** Scripts the connector to answer every message of type `on` with `type` and `body`. */
function answer(conn: ScriptedConnector, on: string, type: ResetPathMessage["type"], body: unknown): void {
  conn.script = (m, from, c) => m.type === on && c.reply(from, { type, requestId: m.header.requestId, body });
}

describe("reset", () => {
  it("retransmits the same requestId at 0, 0.5, 1.5, 3.5 s until accepted, then waits for the result and acknowledges every copy", async () => {
    const { clock, conn, client } = setup();
    const t0 = clock.now();
    conn.script = (m, from, c) => {
      if (m.type !== "reset" || c.of("reset").length < 4) return;
      c.reply(from, {
        type: "reset-accepted",
        requestId: m.header.requestId,
        body: { targetSubsystem: 10001, phase: "softReset" },
      });
    };
    const run = settle(client.reset(TARGET));
    await clock.advance(5000);
    const resets = conn.received.filter((r) => r.m.type === "reset");
    expect(resets.map((r) => r.at - t0)).toEqual([0, 500, 1500, 3500]);
    expect(resets.map((r) => r.m.header.attempt)).toEqual([0, 1, 2, 3]);
    expect(new Set(resets.map((r) => r.m.header.requestId)).size).toBe(1);
    expect(resets[0]!.m.body).toEqual({
      targetSubsystem: 10001,
      clusterPort: 6001,
      targetSystemName: "PSERVER1",
    });
    expect(run.done).toBe(false);
    const id = resets[0]!.m.header.requestId;
    const result = { targetSubsystem: 10001, result: "DUMP", detail: "none" };
    conn.reply(client.local, { type: "reset-result", requestId: id, body: result });
    conn.reply(client.local, { type: "reset-result", requestId: id, body: result });
    await clock.advance(10);
    expect(run.value).toMatchObject({ requestId: id, sends: 4, phases: ["softReset"], result });
    expect(run.value!.elapsedMs).toBe(5000);
    const acks = conn.of("result-ack");
    expect(acks).toHaveLength(2);
    expect(acks[0]!.header).toMatchObject({ requestId: id, senderId: 10002 });
    expect(acks[0]!.body).toEqual({ targetSubsystem: 10001 });
  });

  it("a silent connector: 10 sends in 17.5 s, then CLIENT_TIMEOUT", async () => {
    const { clock, conn, client } = setup();
    const t0 = clock.now();
    const run = settle(client.reset(TARGET));
    await clock.advance(17_499);
    expect(run.done).toBe(false);
    await clock.advance(1);
    expect(run.done).toBe(true);
    expect(isClientError(run.error, "CLIENT_TIMEOUT")).toBe(true);
    expect(conn.received.map((r) => r.at - t0)).toEqual([
      0, 500, 1500, 3500, 5500, 7500, 9500, 11500, 13500, 15500,
    ]);
    expect(conn.received).toHaveLength(RESET_MAX_SENDS);
  });

  it("fence: every send (retransmissions too) carries the FENCE flag; a silent connector's timeout says why", async () => {
    const { clock, conn, client } = setup({ keys: ring() });
    const run = settle(client.reset(TARGET, { fence: true, timeoutMs: 4000 }));
    await clock.advance(4000);
    const resets = conn.of("reset");
    expect(resets).toHaveLength(4);
    // The connector decodes the header's bit 1 into body.fence (and only it): signed, under the tag.
    for (const r of resets) expect(r.body).toMatchObject({ targetSubsystem: 10001, fence: true });
    expect(new Set(resets.map((r) => r.header.requestId)).size).toBe(1);
    expect(isClientError(run.error, "CLIENT_TIMEOUT")).toBe(true);
    expect((run.error as Error).message).toMatch(/older than the FENCE flag/);
  });

  it("fence: false or absent sends a plain RESET; a non-boolean is CLIENT_BAD_OPTION before any send", async () => {
    const { clock, conn, client } = setup();
    settle(client.reset(TARGET, { fence: false, timeoutMs: 100 }));
    await clock.advance(100);
    expect("fence" in conn.of("reset")[0]!.body).toBe(false);
    const bad = settle(client.reset(TARGET, { fence: "yes" as never }));
    await clock.advance(10);
    expect(isClientError(bad.error, "CLIENT_BAD_OPTION")).toBe(true);
    expect(conn.of("reset")).toHaveLength(1);
  });

  it("the whole call is bounded by timeoutMs, even inside the send schedule", async () => {
    const { clock, client } = setup();
    const run = settle(client.reset(TARGET, { timeoutMs: 2000 }));
    await clock.advance(2000);
    expect(isClientError(run.error, "CLIENT_TIMEOUT")).toBe(true);
    expect((run.error as { details: { sends: number } }).details.sends).toBe(3);
  });

  it("an immediate RESET-RESULT (ERROR) ends the call; no further sends", async () => {
    const { clock, conn, client } = setup();
    answer(conn, "reset", "reset-result", {
      targetSubsystem: 10001,
      result: "ERROR",
      detail: "unknownTarget",
    });
    const run = settle(client.reset(TARGET));
    await clock.advance(20_000);
    expect(run.value).toMatchObject({ sends: 1, result: { result: "ERROR", detail: "unknownTarget" } });
    expect(conn.of("reset")).toHaveLength(1);
  });

  it("after RESET-ACCEPTED and 30 s of silence it asks again; no result by the deadline is CLIENT_NO_RESULT", async () => {
    const { clock, conn, client } = setup();
    const t0 = clock.now();
    answer(conn, "reset", "reset-accepted", { targetSubsystem: 10001, phase: "hardReset" });
    const run = settle(client.reset(TARGET, { timeoutMs: 70_000 }));
    await clock.advance(70_000);
    expect(conn.received.map((r) => [r.at - t0, r.m.header.attempt])).toEqual([
      [0, 0],
      [30_000, 1],
      [60_000, 2],
    ]);
    expect(isClientError(run.error, "CLIENT_NO_RESULT")).toBe(true);
    expect((run.error as Error).message).toMatch(/accepted \(phase hardReset\)/);
  });

  it("resultTimeoutMs bounds the wait from the first RESET-ACCEPTED", async () => {
    const { clock, conn, client } = setup();
    conn.script = (m, from, c) => {
      if (m.type !== "reset" || c.of("reset").length < 3) return;
      c.reply(from, {
        type: "reset-accepted",
        requestId: m.header.requestId,
        body: { targetSubsystem: 10001, phase: "softReset" },
      });
    };
    const run = settle(client.reset(TARGET, { resultTimeoutMs: 4000 }));
    await clock.advance(1500 + 3999); // accepted at 1.5 s (third send)
    expect(run.done).toBe(false);
    await clock.advance(1);
    expect(isClientError(run.error, "CLIENT_NO_RESULT")).toBe(true);
    expect((run.error as { details: { accepted: unknown } }).details.accepted).toEqual({
      targetSubsystem: 10001,
      phase: "softReset",
    });
  });

  it("waitForResult: false returns at RESET-ACCEPTED", async () => {
    const { clock, conn, client } = setup();
    answer(conn, "reset", "reset-accepted", { targetSubsystem: 10001, phase: "queued" });
    const run = settle(client.reset(TARGET, { waitForResult: false }));
    await clock.advance(1);
    expect(run.value).toMatchObject({ sends: 1, accepted: { phase: "queued" } });
    expect(run.value!.result).toBeUndefined();
  });

  it("clusterPort: a RESET from another socket names the cluster's port; its ATTENTION is matched on it", async () => {
    const { clock, conn, client } = setup();
    answer(conn, "reset", "reset-result", { targetSubsystem: 10001, result: "POFF", detail: "none" });
    const run = settle(client.reset(TARGET, { clusterPort: 6100 }));
    await clock.advance(1);
    expect(conn.of("reset")[0]!.body.clusterPort).toBe(6100);
    expect(run.value?.result?.result).toBe("POFF");
    await expect(client.reset(TARGET, { clusterPort: 0 })).rejects.toMatchObject({
      code: "CLIENT_BAD_OPTION",
    });
  });

  it("UNSUPPORTED-VERSION ends the call with CLIENT_UNSUPPORTED_VERSION", async () => {
    const { clock, conn, client } = setup();
    answer(conn, "reset", "unsupported-version", { minVersion: 2, maxVersion: 3 });
    const run = settle(client.reset(TARGET));
    await clock.advance(1);
    expect(isClientError(run.error, "CLIENT_UNSUPPORTED_VERSION")).toBe(true);
    expect((run.error as Error).message).toMatch(/versions 2\.\.3/);
  });

  it("a RESET-RESULT for a request it never sent is not acknowledged", async () => {
    const { clock, conn, client } = setup();
    conn.reply(client.local, {
      type: "reset-result",
      requestId: 77,
      body: { targetSubsystem: 1, result: "DUMP", detail: "none" },
    });
    await clock.advance(10);
    expect(conn.of("result-ack")).toEqual([]);
  });

  it("close() fails a waiting reset with CLIENT_CLOSED", async () => {
    const { clock, client } = setup();
    const run = settle(client.reset(TARGET));
    await clock.advance(100);
    client.close();
    await clock.advance(1);
    expect(isClientError(run.error, "CLIENT_CLOSED")).toBe(true);
  });
});

describe("ATTENTION", () => {
  it("acknowledges every copy from its port with its subsystem; listeners hear each eventId once", async () => {
    const { clock, conn, client } = setup();
    const heard: number[] = [];
    client.onAttention((a) => heard.push(a.eventId));
    const body = (eventId: number) => ({
      eventId,
      state: "DUMP",
      kind: "physical",
      targetSubsystem: 10001,
      clusterPort: 6001,
      targetSystemName: "PSERVER1",
      targetVmName: "",
    });
    conn.reply(client.local, { type: "attention", requestId: 5, body: body(123) });
    conn.reply(client.local, { type: "attention", requestId: 5, body: body(123) });
    conn.reply(client.local, { type: "attention", requestId: 6, body: body(124) });
    await clock.advance(60_000);
    conn.reply(client.local, { type: "attention", requestId: 5, body: body(123) });
    await clock.advance(10);
    expect(heard).toEqual([123, 124]);
    const acks = conn.received.filter((r) => r.m.type === "attention-ack");
    expect(
      acks.map((r) => [r.m.header.requestId, r.m.header.senderId, (r.m.body as { eventId: number }).eventId]),
    ).toEqual([
      [5, 10002, 123],
      [5, 10002, 123],
      [6, 10002, 124],
      [5, 10002, 123],
    ]);
    expect(acks.every((r) => r.from.port === 6001)).toBe(true);
  });

  it("an ATTENTION about the target during a reset is part of the outcome", async () => {
    const { clock, conn, client } = setup();
    conn.script = (m, from, c) => {
      if (m.type !== "reset") return;
      c.reply(from, {
        type: "attention",
        requestId: 9,
        body: {
          eventId: 9,
          state: "REBOOT",
          kind: "physical",
          targetSubsystem: 10001,
          clusterPort: 6001,
          targetSystemName: "PSERVER1",
          targetVmName: "",
        },
      });
      c.reply(from, {
        type: "reset-result",
        requestId: m.header.requestId,
        body: { targetSubsystem: 10001, result: "DUMP", detail: "none" },
      });
    };
    const run = settle(client.reset(TARGET));
    await clock.advance(10);
    expect(run.value?.attention).toMatchObject({ eventId: 9, state: "REBOOT" });
  });
});

describe("check", () => {
  it("sends the registration and types the reply", async () => {
    const { clock, conn, client } = setup();
    conn.script = (m, from, c) =>
      m.type === "check" &&
      c.reply(from, {
        type: "check-reply",
        requestId: m.header.requestId,
        body: {
          blockers: { unknownSystem: false, bmcLink: true, pduLink: false, esxiLink: false },
          redundancy: {
            standbyNotSynchronised: false,
            standbyAbnormal: false,
            managementServerNotResettable: false,
          },
          role: "active",
          status: "normal",
          pairSubsystem: 10001,
          responder: "HACON1",
        },
      });
    const run = settle(client.check(REG));
    await clock.advance(1);
    expect(conn.of("check")[0]!.body).toEqual({
      replyPort: 6001,
      kind: "physical",
      intervalSec: 10,
      pairSubsystem: 10001,
      systemName: "PSERVER2",
      vmName: "",
    });
    expect(run.value).toMatchObject({
      resettable: false,
      redundant: true,
      reply: { role: "active", responder: "HACON1" },
    });
    expect(client.lastCheck).toBe(run.value);
  });

  it("no reply within timeoutMs is CLIENT_TIMEOUT, exactly then", async () => {
    const { clock, client } = setup();
    const run = settle(client.check(REG, { timeoutMs: 1500 }));
    await clock.advance(1499);
    expect(run.done).toBe(false);
    await clock.advance(1);
    expect(isClientError(run.error, "CLIENT_TIMEOUT")).toBe(true);
  });

  it("refuses a bad system name before sending anything", async () => {
    const { conn, client } = setup();
    await expect(client.check({ systemName: "bad name" })).rejects.toMatchObject({
      code: "CLIENT_BAD_OPTION",
    });
    expect(conn.received).toEqual([]);
  });
});

describe("periodic CHECK and abort", () => {
  it("startChecks: a CHECK now and every interval, each with a new requestId; silence goes to onError; stop ends it", async () => {
    const { clock, conn, client } = setup();
    const t0 = clock.now();
    const errors: string[] = [];
    const stop = client.startChecks(REG, 10_000, {
      onError: (e) => errors.push((e as { code: string }).code),
    });
    await clock.advance(25_000);
    const checks = conn.received.filter((r) => r.m.type === "check");
    expect(checks.map((r) => r.at - t0)).toEqual([0, 10_000, 20_000]);
    expect(new Set(checks.map((r) => r.m.header.requestId)).size).toBe(3);
    expect(checks[0]!.m.body).toMatchObject({ intervalSec: 10 });
    expect(errors).toEqual(["CLIENT_TIMEOUT", "CLIENT_TIMEOUT", "CLIENT_TIMEOUT"]);
    stop();
    await clock.advance(30_000);
    expect(conn.of("check")).toHaveLength(3);
  });

  it("an AbortSignal ends a waiting reset with CLIENT_ABORTED", async () => {
    const { clock, client } = setup();
    const ac = new AbortController();
    const run = settle(client.reset(TARGET, { signal: ac.signal }));
    await clock.advance(700);
    ac.abort();
    await clock.advance(1);
    expect(isClientError(run.error, "CLIENT_ABORTED")).toBe(true);
  });
});

describe("signing", () => {
  it("signs with the key; an unsigned or wrongly signed reply is dropped and counted", async () => {
    const keys = ring();
    const { clock, conn, client } = setup({ keys });
    let mode: "unsigned" | "other" | "good" = "unsigned";
    const other = ring();
    conn.script = (m, from, c) => {
      if (m.type !== "check") return;
      const body = {
        blockers: { unknownSystem: false, bmcLink: false, pduLink: false, esxiLink: false },
        redundancy: {
          standbyNotSynchronised: false,
          standbyAbnormal: false,
          managementServerNotResettable: false,
        },
        role: "active",
        status: "normal",
        pairSubsystem: 0,
        responder: "HACON1",
      };
      const k = mode === "unsigned" ? null : mode === "other" ? other : keys;
      c.reply(from, { type: "check-reply", requestId: m.header.requestId, body }, k);
    };
    const a = settle(client.check(REG, { timeoutMs: 100 }));
    await clock.advance(100);
    expect(isClientError(a.error, "CLIENT_TIMEOUT")).toBe(true);
    expect(client.drops.unauthenticated).toBe(1);
    mode = "other";
    const b = settle(client.check(REG, { timeoutMs: 100 }));
    await clock.advance(100);
    expect(isClientError(b.error, "CLIENT_TIMEOUT")).toBe(true);
    expect(client.drops["bad-mac"]).toBe(1);
    mode = "good";
    const c = settle(client.check(REG, { timeoutMs: 100 }));
    await clock.advance(1);
    expect(c.value?.reply.responder).toBe("HACON1");
    expect(conn.received.every((r) => r.m.auth?.keyId === 1)).toBe(true);
  });
});

describe("dump notice (notifier rule 2)", () => {
  it("repeats every 500 ms through `recorded` and stops at `accepted`", async () => {
    const { clock, conn, client } = setup();
    const t0 = clock.now();
    conn.script = (m, from, c) => {
      if (m.type !== "dump-notice") return;
      const status = c.of("dump-notice").length < 3 ? "recorded" : "accepted";
      c.reply(from, { type: "dump-ack", requestId: m.header.requestId, body: { subsystem: 10002, status } });
    };
    const run = settle(
      client.dumpNotice({ clusterPort: 6001, systemName: "PSERVER2" }, { durationMs: 10_000 }),
    );
    await clock.advance(10_000);
    expect(run.value).toMatchObject({
      sends: 3,
      accepted: true,
      ack: { status: "accepted" },
      elapsedMs: 1000,
    });
    const notices = conn.received.filter((r) => r.m.type === "dump-notice");
    expect(notices.map((r) => [r.at - t0, r.m.header.attempt])).toEqual([
      [0, 0],
      [500, 1],
      [1000, 2],
    ]);
    expect(new Set(notices.map((r) => r.m.header.requestId)).size).toBe(1);
    expect(notices[0]!.m.body).toEqual({ clusterPort: 6001, systemName: "PSERVER2" });
    expect(notices[0]!.m.header.senderId).toBe(10002);
  });

  it("a silent connector: repeats for the whole duration, then says nobody answered", async () => {
    const { clock, conn, client } = setup();
    const run = settle(client.dumpNotice({}, { durationMs: 2000 }));
    await clock.advance(2000);
    expect(run.value).toMatchObject({ sends: 4, accepted: false, elapsedMs: 2000 });
    expect(run.value!.ack).toBeUndefined();
    expect(conn.of("dump-notice")[0]!.body).toEqual({ clusterPort: 0, systemName: "" });
  });
});
