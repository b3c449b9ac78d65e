// Operator test operations (digest §6.10): `haconnserver reset` (software reset only: it never
// escalates, it measures), `haconnserver ipdusd` (same / serial cut-and-restore) and
// `haconnserver acrecovery` (power every outlet of the server on). HA-monitor log fields are `----`.
// PDU tests are node-local (not replicated): a takeover abandons them, acrecovery repairs.

import { PDU_TEST_DEFAULT_SEC, PDU_TEST_MAX_SEC, PDU_TEST_MIN_SEC } from "./constants.js";
import { startJob } from "./job.js";
import { testLogContext } from "./reset-log.js";
import { serverRuntime } from "./status.js";
import type { Tx } from "./tx.js";
import type { EngineCommand, EngineEvent, PduTest } from "./types.js";

type CommandEvent = Extract<EngineEvent, { type: "command" }>;
type DeviceResult = Extract<EngineEvent, { type: "deviceResult" }>;

function result(tx: Tx, id: string, ok: boolean, code: string | null, message: string): void {
  tx.emit({ kind: "commandResult", id, ok, code, message });
}

export function testTimerId(id: string): string {
  return `test:${id}`;
}

function softResetTest(tx: Tx, id: string, cmd: Extract<EngineCommand, { type: "softResetTest" }>): void {
  const record = Object.values(tx.shared.monitors).find(
    (m) => m.system === cmd.system && m.subsystem === cmd.subsystem,
  );
  if (!tx.server(cmd.system)) {
    result(tx, id, false, "UNKNOWN_SERVER", `no managed server ${cmd.system}`);
    return;
  }
  if (!record || record.addr === null) {
    result(tx, id, false, "NOT_REGISTERED", `no HA monitor ${cmd.subsystem} registered on ${cmd.system}`);
    return;
  }
  if (tx.shared.jobs[record.key]) {
    result(tx, id, false, "BUSY", "a reset of this system is in progress");
    return;
  }
  const off =
    record.vmName === null
      ? serverRuntime(tx.shared, record.system).power === "poff"
      : record.guestPower === "off";
  if (record.status !== "normal" || off) {
    result(tx, id, false, "NOT_NORMAL", `system ${cmd.subsystem} is not running normally (${record.status})`);
    return;
  }
  const log = {
    ...testLogContext(record.system, String(record.subsystem)),
    category: record.vmName === null ? "P" : "V",
  } as const;
  startJob(tx, record, null, { commandId: id }, log);
}

function pduBusy(tx: Tx, system: string): boolean {
  return (
    Object.values(tx.state.local.tests).some((t) => t.system === system) ||
    Object.values(tx.shared.jobs).some((j) => j.system === system && j.vmName === null)
  );
}

function validSeconds(value: number | undefined): value is number | undefined {
  return (
    value === undefined || (Number.isInteger(value) && value >= PDU_TEST_MIN_SEC && value <= PDU_TEST_MAX_SEC)
  );
}

function putTest(tx: Tx, test: PduTest | null, id: string): void {
  const tests = { ...tx.state.local.tests };
  if (test) tests[id] = test;
  else delete tests[id];
  tx.setLocal({ tests });
}

function switchOutlets(tx: Tx, test: PduTest, outlets: PduTest["outlets"], action: "on" | "off"): void {
  const log = testLogContext(test.system);
  for (const o of outlets) {
    tx.device(action, { type: "outlet", pdu: o.pdu, outlet: o.outlet }, { for: "test", id: test.id, log });
    const pduAddr = tx.pdu(o.pdu)?.addr ?? o.pdu;
    tx.log({
      type: "IPDUSD",
      dir: "SEND",
      ctx: log,
      pduAddr,
      outlet: o.outlet,
      action: action === "on" ? "ON" : "OFF",
    });
  }
}

function current(test: PduTest): PduTest["outlets"] {
  return test.mode === "serial" ? test.outlets.slice(test.index, test.index + 1) : test.outlets;
}

function pduCommand(
  tx: Tx,
  id: string,
  cmd: Extract<EngineCommand, { type: "pduTest" | "acrecovery" }>,
): void {
  const server = tx.server(cmd.system);
  if (!server) {
    result(tx, id, false, "UNKNOWN_SERVER", `no managed server ${cmd.system}`);
    return;
  }
  if (server.outlets.length === 0) {
    result(tx, id, false, "NO_OUTLETS", `${cmd.system} has no PDU outlets`);
    return;
  }
  if (pduBusy(tx, cmd.system)) {
    result(tx, id, false, "BUSY", `a reset or PDU operation of ${cmd.system} is running`);
    return;
  }
  let outlets = server.outlets.map((o) => ({ pdu: o.pdu, outlet: o.outlet }));
  let test: PduTest;
  if (cmd.type === "acrecovery") {
    test = {
      id,
      system: cmd.system,
      mode: "acrecovery",
      offMs: 0,
      waitMs: 0,
      outlets,
      index: 0,
      step: "restoring",
      pending: 0,
      failures: 0,
    };
  } else {
    if (cmd.mode === "same" && (cmd.addr !== undefined || cmd.wtimeSec !== undefined)) {
      result(tx, id, false, "BAD_ARGUMENT", "addr and wtime are allowed with mode=serial only");
      return;
    }
    if (!validSeconds(cmd.offtimeSec)) {
      result(tx, id, false, "BAD_ARGUMENT", "offtime must be 5-60");
      return;
    }
    if (!validSeconds(cmd.wtimeSec)) {
      result(tx, id, false, "BAD_ARGUMENT", "wtime must be 5-60");
      return;
    }
    if (cmd.addr !== undefined) {
      outlets = outlets.filter((o) => o.pdu === cmd.addr || tx.pdu(o.pdu)?.addr === cmd.addr);
      if (outlets.length === 0) {
        result(tx, id, false, "BAD_ARGUMENT", `${cmd.addr} feeds no outlet of ${cmd.system}`);
        return;
      }
    }
    test = {
      id,
      system: cmd.system,
      mode: cmd.mode,
      offMs: (cmd.offtimeSec ?? PDU_TEST_DEFAULT_SEC) * 1000,
      waitMs: (cmd.wtimeSec ?? PDU_TEST_DEFAULT_SEC) * 1000,
      outlets,
      index: 0,
      step: "cutting",
      pending: 0,
      failures: 0,
    };
  }
  const action = test.step === "restoring" ? "on" : "off";
  const batch = current(test);
  test = { ...test, pending: batch.length };
  putTest(tx, test, id);
  switchOutlets(tx, test, batch, action);
}

export function handleCommand(tx: Tx, ev: CommandEvent): void {
  if (ev.command.type === "softResetTest") {
    softResetTest(tx, ev.id, ev.command);
    return;
  }
  pduCommand(tx, ev.id, ev.command);
  return;
}

function advance(tx: Tx, test: PduTest): void {
  if (test.step === "cutting") {
    putTest(tx, { ...test, step: "off" }, test.id);
    tx.setTimer(testTimerId(test.id), tx.now + test.offMs);
    return;
  }
  if (test.step === "restoring") {
    const more = test.mode === "serial" && test.index + 1 < test.outlets.length;
    if (more) {
      putTest(tx, { ...test, step: "waiting" }, test.id);
      tx.setTimer(testTimerId(test.id), tx.now + test.waitMs);
      return;
    }
    putTest(tx, null, test.id);
    const ok = test.failures === 0;
    const what = test.mode === "acrecovery" ? "power restore" : `PDU test (${test.mode})`;
    result(
      tx,
      test.id,
      ok,
      ok ? null : "DEVICE_FAILED",
      `${what} of ${test.system}: ${test.failures} failure(s)`,
    );
    return;
  }
}

export function onTestTimer(tx: Tx, id: string): void {
  const test = tx.state.local.tests[id];
  if (!test) return;
  if (test.step === "off") {
    const next = { ...test, step: "restoring" as const, pending: current(test).length };
    putTest(tx, next, id);
    switchOutlets(tx, next, current(next), "on");
    return;
  }
  if (test.step === "waiting") {
    const next = { ...test, index: test.index + 1, step: "cutting" as const };
    const batch = current(next);
    putTest(tx, { ...next, pending: batch.length }, id);
    switchOutlets(tx, next, batch, "off");
  }
}

export function onTestResult(tx: Tx, ev: DeviceResult): void {
  if (ev.tag.for !== "test" || ev.device.type !== "outlet") return;
  const { pdu, outlet } = ev.device;
  if (ev.ok) {
    const action = ev.op === "on" ? "ON" : "OFF";
    tx.log({
      type: "IPDUSD",
      dir: "RECV",
      ctx: ev.tag.log,
      pduAddr: tx.pdu(pdu)?.addr ?? pdu,
      outlet,
      action,
    });
  }
  const test = tx.state.local.tests[ev.tag.id];
  if (!test || test.pending <= 0) return;
  const next = { ...test, pending: test.pending - 1, failures: test.failures + (ev.ok ? 0 : 1) };
  putTest(tx, next, test.id);
  if (next.pending === 0) advance(tx, next);
}
