// PDU cut test of a management server (haconnact / haconnsby ipdusd, manual §6.8/§6.9), run by
// the OTHER node: cut the outlets feeding that server and restore them after offtime, all at
// once (same) or outlet by outlet with wtime between them (serial). Every request and every
// acknowledgement goes to this node's resetlog as the manual's IPDUSD lines, formatted by
// core's reset-log formatter with a test context (Target/IP/port/req `----`), exactly as
// `haconnserver ipdusd` logs a managed server's test. Time comes from the Clock.

import type { OutletLink } from "@haconn/config";
import { type Clock, formatResetLog, type ResetLogRecord, testLogContext } from "@haconn/core";

export const MSERVER_PDU_TEST_MIN_SEC = 5;
export const MSERVER_PDU_TEST_MAX_SEC = 60;
export const MSERVER_PDU_TEST_DEFAULT_SEC = 5;
/** Manual §6.8: a serial test of a management server needs offtime >= 30 s. */
export const MSERVER_SERIAL_MIN_OFFTIME_SEC = 30;
/** Each outlet switch must answer within this (as the peer fencing's PDU cut). */
export const OUTLET_TIMEOUT_MS = 5000;

export interface MserverPduTestArgs {
  mode: "same" | "serial";
  offtimeSec: number;
  /** Serial only (default 5). */
  wtimeSec?: number;
}

/** What one outlet switch reports; ServerOutletsController.cut()/restore() give it. */
export interface OutletSwitchResult {
  ok: boolean;
  error?: { message: string };
}

export interface MserverPduTestPorts {
  clock: Clock;
  /** The outlets feeding the tested management server, in configuration order. */
  outlets: readonly OutletLink[];
  /** The PDU's address as the resetlog shows it. */
  pduAddr(pduKey: string): string;
  switchOutlet(link: OutletLink, action: "on" | "off", timeoutMs: number): Promise<OutletSwitchResult>;
  /** One resetlog line (and its record, for metrics). */
  log(line: string, record: ResetLogRecord): void;
  timeZone?: "local" | "utc";
}

export interface MserverPduTestResult {
  ok: boolean;
  failures: number;
  message: string;
  outlets: { pdu: string; outlet: number; off: boolean; on: boolean; error?: string }[];
}

export class PduTestArgsError extends Error {
  readonly code = "BAD_ARGUMENT";
}

const secondsOk = (v: unknown) =>
  Number.isSafeInteger(v) &&
  (v as number) >= MSERVER_PDU_TEST_MIN_SEC &&
  (v as number) <= MSERVER_PDU_TEST_MAX_SEC;

/** Checks the arguments from the CLI or the peer (JSON), with the manual's ranges and exclusions. */
export function mserverPduTestArgs(raw: unknown): MserverPduTestArgs {
  const a = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
  if (a.mode !== "same" && a.mode !== "serial") throw new PduTestArgsError("mode must be same or serial");
  if (a.addr !== undefined) throw new PduTestArgsError("addr= is not allowed for a management server test");
  const offtimeSec = a.offtimeSec ?? MSERVER_PDU_TEST_DEFAULT_SEC;
  if (!secondsOk(offtimeSec)) throw new PduTestArgsError("offtime must be 5-60");
  if (a.mode === "same") {
    if (a.wtimeSec !== undefined) throw new PduTestArgsError("wtime is allowed with mode=serial only");
    return { mode: "same", offtimeSec: offtimeSec as number };
  }
  if ((offtimeSec as number) < MSERVER_SERIAL_MIN_OFFTIME_SEC)
    throw new PduTestArgsError("a serial test of a management server needs offtime=30-60");
  const wtimeSec = a.wtimeSec ?? MSERVER_PDU_TEST_DEFAULT_SEC;
  if (!secondsOk(wtimeSec)) throw new PduTestArgsError("wtime must be 5-60");
  return { mode: "serial", offtimeSec: offtimeSec as number, wtimeSec: wtimeSec as number };
}

/** The longest such a test may take: every outlet (at most 4) switched, held and waited for. */
export function mserverPduTestBudgetMs(args: MserverPduTestArgs, outlets = 4): number {
  const perStep = args.offtimeSec + (args.wtimeSec ?? 0);
  return (outlets * perStep + 2 * outlets * (OUTLET_TIMEOUT_MS / 1000) + 30) * 1000;
}

function failed(rows: MserverPduTestResult["outlets"]): string {
  const bad = rows.filter((r) => r.error !== undefined);
  return bad.length === 0 ? "" : ` (${bad.map((r) => `${r.pdu}#${r.outlet} ${r.error}`).join("; ")})`;
}

function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}

/** Runs the test on `system`'s outlets; never throws for a device failure (counted instead). */
export async function runMserverPduTest(
  system: string,
  args: MserverPduTestArgs,
  ports: MserverPduTestPorts,
): Promise<MserverPduTestResult> {
  const ctx = testLogContext(system);
  const tz = ports.timeZone ?? "local";
  const rows = ports.outlets.map(
    (l) =>
      ({ pdu: l.pdu, outlet: l.outlet, off: false, on: false }) as MserverPduTestResult["outlets"][number],
  );
  let failures = 0;

  const line = (dir: "SEND" | "RECV", link: OutletLink, action: "OFF" | "ON") => {
    const record: ResetLogRecord = {
      type: "IPDUSD",
      at: ports.clock.now(),
      dir,
      ctx,
      pduAddr: ports.pduAddr(link.pdu),
      outlet: link.outlet,
      action,
    };
    ports.log(formatResetLog(record, tz), record);
  };

  const switchBatch = async (indexes: number[], action: "on" | "off") => {
    const upper = action === "on" ? "ON" : "OFF";
    for (const i of indexes) line("SEND", ports.outlets[i]!, upper);
    await Promise.all(
      indexes.map(async (i) => {
        const link = ports.outlets[i]!;
        let r: OutletSwitchResult;
        try {
          r = await ports.switchOutlet(link, action, OUTLET_TIMEOUT_MS);
        } catch (error) {
          r = { ok: false, error: { message: error instanceof Error ? error.message : String(error) } };
        }
        const row = rows[i]!;
        if (r.ok) {
          line("RECV", link, upper);
          row[action] = true;
        } else {
          failures += 1;
          row.error = `${action === "off" ? "cut" : "restore"}: ${r.error?.message ?? "failed"}`;
        }
      }),
    );
  };

  const all = ports.outlets.map((_, i) => i);
  const batches = args.mode === "same" ? [all] : all.map((i) => [i]);
  for (const [n, batch] of batches.entries()) {
    if (n > 0) await sleep(ports.clock, (args.wtimeSec ?? MSERVER_PDU_TEST_DEFAULT_SEC) * 1000);
    await switchBatch(batch, "off");
    await sleep(ports.clock, args.offtimeSec * 1000);
    await switchBatch(batch, "on");
  }
  return {
    ok: failures === 0,
    failures,
    message: `PDU test (${args.mode}) of ${system}: ${failures} failure(s)${failed(rows)}`,
    outlets: rows,
  };
}
