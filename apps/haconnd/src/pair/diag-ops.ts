// PDU cut tests of the management servers (haconnact/haconnsby ipdusd, run by the other node)
// and the standby's logs for haconndump (collectLogs over the duplex link).
//
// Who does what (manual §6.1 rows 15, §6.8, §6.9, §7.1):
//   haconnact ipdusd  tests the ACTIVE's outlets. The standby does the work and writes its
//                     resetlog: run on the active, it is sent to the standby (pduCutTest); run
//                     on the standby, the standby does it at once.
//   haconnsby ipdusd  tests the STANDBY's outlets, on the active only (× on the standby), with
//                     the link OK; the active does the work and writes its resetlog.
// A node only ever cuts its PEER's outlets this way, never its own.

import { HaconnError } from "@haconn/config";
import type { JsonValue } from "@haconn/protocol";
import type { ControlOp } from "../control/server.js";
import type { DiagHost, PairPort } from "../ops-host.js";
import { archiveLogDir } from "./log-archive.js";
import {
  type MserverPduTestArgs,
  mserverPduTestArgs,
  mserverPduTestBudgetMs,
  runMserverPduTest,
} from "./mserver-pdu-test.js";
import type { PeerCommandHandlers, PeerCommandOutcome, PeerCommandResult } from "./peer-commands.js";

/** Time the peer gets to pack and send its logs. */
export const COLLECT_LOGS_TIMEOUT_MS = 90_000;

/** Management servers with a PDU test running, per daemon (one test per server at a time). */
const running = new WeakMap<DiagHost, Set<string>>();

function requirePair(d: DiagHost): PairPort {
  if (!d.pair) throw new HaconnError("NO_STANDBY", "no standby connector is configured");
  return d.pair;
}

function validateArgs(a: Record<string, unknown>): string | undefined {
  try {
    mserverPduTestArgs(a);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Cuts and restores `system`'s outlets from this node, logging in this node's resetlog. */
export async function testPeerOutlets(
  d: DiagHost,
  system: string,
  args: MserverPduTestArgs,
): Promise<{ message: string; outlets: JsonValue }> {
  const outlets = d.devices.mserverOutlets(system)?.links;
  if (!outlets || outlets.length === 0)
    throw new HaconnError("NO_OUTLETS", `management server ${system} has no PDU outlets`);
  const busy = running.get(d) ?? new Set<string>();
  running.set(d, busy);
  if (busy.has(system)) throw new HaconnError("BUSY", `a PDU test of ${system} is running`);
  busy.add(system);
  d.logs.event.info({ system, ...args }, "management-server PDU test started");
  try {
    const result = await runMserverPduTest(system, args, {
      clock: d.clock,
      outlets,
      pduAddr: (key) => d.config.pdus.find((p) => p.key === key)?.addr ?? key,
      switchOutlet: async (link, action, timeoutMs) => {
        const c = d.devices.outlet(link.pdu, link.outlet);
        const [r] = action === "off" ? await c.cut({ timeoutMs }) : await c.restore({ timeoutMs });
        return r?.ok ? { ok: true } : { ok: false, error: { message: r?.error?.message ?? "no result" } };
      },
      log: (line, record) => {
        d.resetlog.writeLine(line);
        d.metrics.resetLog(record);
      },
    });
    const level = result.ok ? "info" : "error";
    d.logs.event[level]({ system, outlets: result.outlets }, result.message);
    if (!result.ok)
      throw new HaconnError("DEVICE_FAILED", result.message, { details: { outlets: result.outlets } });
    return { message: result.message, outlets: JSON.parse(JSON.stringify(result.outlets)) };
  } finally {
    busy.delete(system);
  }
}

/** The peer's final answer as a control result, or the error the CLI shows. */
function peerAnswer(r: PeerCommandResult, what: string): { message: string } {
  const data = (
    typeof r.data === "object" && r.data !== null && !Array.isArray(r.data) ? r.data : {}
  ) as Record<string, JsonValue>;
  const message = typeof data.message === "string" ? data.message : undefined;
  if (r.status === "done" || r.status === "accepted") return { message: message ?? `${what}: done` };
  if (r.status === "timeout")
    throw new HaconnError("PEER_TIMEOUT", `${what}: the standby did not answer in time`);
  if (r.status === "disconnected")
    throw new HaconnError("NO_STANDBY", `${what}: the standby connector is not connected`);
  const code = typeof data.code === "string" ? data.code : "PEER_FAILED";
  throw new HaconnError(code, `${what} on the standby: ${message ?? r.status}`);
}

export function diagOps(d: DiagHost): Record<string, ControlOp> {
  return {
    "act.ipdusd": {
      validate: validateArgs,
      handle: async (a) => {
        const pair = requirePair(d);
        const args = mserverPduTestArgs(a);
        if (d.role === "active") {
          const self = d.options.nodeName;
          const r = await pair.request(
            "pduCutTest",
            { target: self, ...args },
            mserverPduTestBudgetMs(args) + 10_000,
          );
          return peerAnswer(r, `PDU test of ${self}`);
        }
        if (d.role === "standby" && pair.state.peer?.role === "active")
          return testPeerOutlets(d, pair.state.peerName, args);
        throw new HaconnError("NO_ACTIVE", "no active connector is known: the roles are not settled");
      },
    },
    "sby.ipdusd": {
      validate: validateArgs,
      handle: (a) => {
        const pair = requirePair(d);
        const args = mserverPduTestArgs(a);
        if (d.role !== "active")
          throw new HaconnError("NOT_ACTIVE", "haconnsby ipdusd runs on the active connector");
        if (pair.link_ !== "OK")
          throw new HaconnError("NO_STANDBY", "the link to the standby connector is not OK");
        return testPeerOutlets(d, pair.state.peerName, args);
      },
    },
    collectPeerLogs: {
      handle: async () => {
        const pair = d.pair;
        if (!pair) return { peer: null, ok: false, reason: "no peer connector is configured" };
        const peer = pair.state.peerName;
        const r = await pair.request("collectLogs", {}, COLLECT_LOGS_TIMEOUT_MS);
        if (r.status !== "done") {
          const why =
            r.status === "disconnected"
              ? "not connected over the duplex link"
              : r.status === "timeout"
                ? "no answer in time"
                : `${r.status}: ${JSON.stringify(r.data)}`;
          return { peer, ok: false, reason: `${peer} did not send its logs (${why})` };
        }
        const archive = Buffer.concat(r.chunks);
        const data = (r.data ?? {}) as { files?: unknown };
        return {
          peer,
          ok: true,
          files: Array.isArray(data.files) ? data.files : [],
          archive: archive.toString("base64"),
        };
      },
    },
  };
}

export function diagPeerCommands(d: DiagHost): PeerCommandHandlers {
  return {
    pduCutTest: async (raw, ctx) => {
      const peer = d.pair?.state.peerName;
      const a = (typeof raw === "object" && raw !== null && !Array.isArray(raw) ? raw : {}) as Record<
        string,
        unknown
      >;
      if (!peer || a.target !== peer)
        return {
          status: "rejected",
          data: { code: "BAD_TARGET", message: "only the peer's outlets are tested" },
        };
      if (ctx.role !== "standby")
        return { status: "rejected", data: { code: "NOT_STANDBY", message: "this node is not the standby" } };
      const { target: _target, ...rest } = a;
      let args: MserverPduTestArgs;
      try {
        args = mserverPduTestArgs(rest);
      } catch (error) {
        return { status: "rejected", data: { code: "BAD_ARGUMENT", message: (error as Error).message } };
      }
      try {
        const r = await testPeerOutlets(d, peer, args);
        return { status: "done", data: r };
      } catch (error) {
        const code = HaconnError.isInstance(error) ? error.code : "COMMAND_FAILED";
        return { status: "failed", data: { code, message: (error as Error).message } };
      }
    },
    collectLogs: async (): Promise<PeerCommandOutcome> => {
      try {
        const { archive, files } = await archiveLogDir(d.options.logDir);
        return {
          status: "done",
          chunks: [archive],
          data: { node: d.options.nodeName, bytes: archive.length, files },
        };
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        return {
          status: "failed",
          data: {
            code: typeof code === "string" ? code : "COMMAND_FAILED",
            message: (error as Error).message,
          },
        };
      }
    },
  };
}
