// The daemon's ESXi worker thread: every EsxiHost (its ssh2 connection, the packet crypto, the
// commands and the parsing of their output) runs here, off the main thread that answers RESETs
// (issue 19). The main thread talks to it through client.ts; messages: protocol.ts.
//
// Built as its own bundle (dist/esxi-worker.js, tsup.config.ts); from sources it runs as it is
// (Node strips the types), so it imports packages and Node only, and relative modules as types.
import { readlinkSync } from "node:fs";
import { getPriority, setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { type CallOptions, DriverError } from "@haconn/config";
import { EsxiGuestController, type EsxiHost, esxiHostFromSettings, FileHostKeyStore } from "@haconn/esxi";
import type { CallResult, EsxiCall, EsxiWorkerInit, FromWorker, ToWorker, WireError } from "./protocol.js";

const port = parentPort;
if (port === null) throw new Error("esxi-worker runs as a worker thread only");
const init = workerData as EsxiWorkerInit;
const hostKeys = new FileHostKeyStore(init.hostKeyFile);

type Host = { host: EsxiHost; guests: Map<string, EsxiGuestController> } | { error: unknown };
const hosts = new Map<number, Host>();
const aborts = new Map<number, AbortController>();

const send = (message: FromWorker): void => port.postMessage(message);

// Results settled in the same turn go in one message: each message costs the main thread a
// callback of its own, and a host's guests of a poll round settle together.
let results: CallResult[] = [];
function done(result: CallResult): void {
  if (results.push(result) > 1) return;
  queueMicrotask(() => {
    send({ t: "done", results });
    results = [];
  });
}

// Below the main thread, as the daemon's helper threads (helper-threads.ts): the ssh work of a
// poll round or of guests' resets does not preempt the thread that takes RESETs when it wakes.
if (init.niceOffset !== null) {
  let tid = 0;
  let nice = 0;
  try {
    tid = Number(readlinkSync("/proc/thread-self").split("/").pop()); // "<pid>/task/<tid>"
    nice = Math.min(19, getPriority(process.pid) + init.niceOffset);
    setPriority(tid, nice);
    send({ t: "priority", tid, nice });
  } catch (error) {
    send({ t: "priority", tid, nice, error: error instanceof Error ? error.message : String(error) });
  }
}

function wireError(error: unknown): WireError {
  const e = error as { name?: unknown; code?: unknown; retryable?: unknown; details?: unknown };
  let details: Record<string, unknown> | undefined;
  if (typeof e?.details === "object" && e.details !== null) {
    try {
      details = structuredClone(e.details as Record<string, unknown>);
    } catch {
      details = JSON.parse(JSON.stringify(e.details)) as Record<string, unknown>;
    }
  }
  return {
    name: typeof e?.name === "string" ? e.name : "Error",
    code: typeof e?.code === "string" ? e.code : undefined,
    message: error instanceof Error ? error.message : String(error),
    retryable: typeof e?.retryable === "boolean" ? e.retryable : undefined,
    details,
  };
}

function guestOf(h: Exclude<Host, { error: unknown }>, vmName: string): EsxiGuestController {
  let g = h.guests.get(vmName);
  if (!g) {
    g = new EsxiGuestController({ host: h.host, vmName });
    h.guests.set(vmName, g);
  }
  return g;
}

async function run(call: EsxiCall, options: CallOptions): Promise<string | null> {
  const h = hosts.get(call.host);
  if (!h) {
    // dropped (its Devices were closed after a reload): as a closed EsxiHost answers
    throw new DriverError("DEVICE_UNREACHABLE", `ESXi host ${call.host} is closed`, {
      details: { reason: "closed" },
    });
  }
  if ("error" in h) throw h.error;
  if (call.op === "connect") {
    await h.host.connect(options);
    return null;
  }
  const g = guestOf(h, call.vmName ?? "");
  if (call.op === "status") return g.status(options);
  await g[call.op](options);
  return null;
}

function start(call: EsxiCall): void {
  const abort = new AbortController();
  aborts.set(call.id, abort);
  const options: CallOptions = { signal: abort.signal };
  if (call.timeoutMs !== undefined) options.timeoutMs = call.timeoutMs;
  run(call, options).then(
    (value) => {
      aborts.delete(call.id);
      done({ id: call.id, ok: true, value });
    },
    (error: unknown) => {
      aborts.delete(call.id);
      done({ id: call.id, ok: false, error: wireError(error) });
    },
  );
}

port.on("message", (m: ToWorker) => {
  switch (m.t) {
    case "host": {
      try {
        const host = esxiHostFromSettings(m.settings, {
          hostKeyStore: hostKeys,
          onEvent: (event) => send({ t: "event", event }),
        });
        hosts.set(m.host, { host, guests: new Map() });
      } catch (error) {
        hosts.set(m.host, { error }); // its calls fail with it (settings the main thread let through)
      }
      return;
    }
    case "drop": {
      const h = hosts.get(m.host);
      hosts.delete(m.host);
      if (h && "host" in h) void h.host.close();
      return;
    }
    case "calls":
      // All in this turn: a host's guest status calls meet in its batch (one command).
      for (const call of m.calls) start(call);
      return;
    case "abort":
      aborts.get(m.id)?.abort();
      return;
  }
});
