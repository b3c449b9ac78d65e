// The main thread's side of the ESXi worker thread (worker.ts): one worker per daemon, started
// on the first ESXi call (a configuration without ESXi hosts never starts it), holding every
// EsxiHost the daemon's drivers registered. A call carries its deadline to the worker; the main
// thread also gives up `graceMs` after it, should the worker hang. When the worker exits or
// crashes, every call in flight fails with DEVICE_UNREACHABLE (outcome unknown), the exit is
// reported once, and a new worker starts after a back-off that doubles up to `maxMs` while
// workers keep dying young (no spin); the hosts are registered again with it.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import {
  type CallOptions,
  DriverError,
  type DriverErrorCode,
  type HaconnErrorOptions,
  type VirtualServerSettings,
} from "@haconn/config";
import type { EsxiHostEvent } from "@haconn/esxi";
import type { EsxiCall, EsxiOp, FromWorker, ToWorker, WireError } from "./protocol.js";

export interface EsxiWorkerExit {
  code: number | null;
  /** The worker's uncaught error, when it crashed. */
  error?: string;
  /** Calls that were in flight and failed. */
  failedCalls: number;
  /** When the next worker starts (ms from now). */
  restartInMs: number;
}

export interface EsxiWorkerOptions {
  /** Where trust-on-first-use host keys are recorded (the worker writes it). */
  hostKeyFile: string;
  onEvent?: (event: EsxiHostEvent) => void;
  /** Told once per unexpected worker exit. */
  onExit?: (exit: EsxiWorkerExit) => void;
  /** Default: dist/esxi-worker.js beside the running bundle, or worker.ts beside this file. */
  workerUrl?: URL;
  /** Wait before a new worker: doubles from initialMs up to maxMs. Default 500 / 30000. */
  backoff?: { initialMs: number; maxMs: number };
  /** A worker that lived this long resets the back-off. Default 60000. */
  stableAfterMs?: number;
  /** How long past a call's own deadline the main thread waits for the worker. Default 2000. */
  graceMs?: number;
  /** The deadline of a call given none (EsxiHost's default). Default 10000. */
  defaultTimeoutMs?: number;
  /** Run the worker's thread this many nice levels below the main thread (null/absent: as is). */
  niceOffset?: number | null;
  /** Told what the worker did about its priority (once per worker start). */
  onPriority?: (report: { tid: number; nice: number; error?: string }) => void;
}

/** Where the worker's code is: the bundle's sibling, else (from sources) worker.ts. */
export function defaultEsxiWorkerUrl(): URL {
  const bundled = new URL("./esxi-worker.js", import.meta.url);
  return existsSync(fileURLToPath(bundled)) ? bundled : new URL("./worker.ts", import.meta.url);
}

/** A DriverError (or plain Error) like the one the worker's driver threw. */
export function errorFromWire(e: WireError): Error {
  if (typeof e.code === "string" && e.code.startsWith("DEVICE_")) {
    const options: HaconnErrorOptions = {};
    if (e.details !== undefined) options.details = e.details;
    if (e.retryable !== undefined) options.retryable = e.retryable;
    return new DriverError(e.code as DriverErrorCode, e.message, options);
  }
  const error = new Error(e.message);
  error.name = e.name;
  if (e.code !== undefined) Object.assign(error, { code: e.code });
  return error;
}

interface Pending {
  resolve(value: string | null): void;
  reject(error: unknown): void;
  timer: NodeJS.Timeout;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

const throwIt = (error: unknown): never => {
  throw error;
};

const workerError = (code: DriverErrorCode, reason: string, message: string) =>
  new DriverError(code, message, { details: { reason } });

export class EsxiWorkerClient {
  readonly #o: EsxiWorkerOptions;
  #worker: Worker | undefined;
  #bornAt = 0;
  readonly #hosts = new Map<number, VirtualServerSettings>();
  readonly #pending = new Map<number, Pending>();
  #queue: EsxiCall[] = [];
  #nextId = 1;
  #nextHost = 1;
  #backoffMs = 0;
  #restartAt = 0;
  #restartTimer: NodeJS.Timeout | undefined;
  #closed = false;
  /** Workers started, exits seen, messages from the worker not understood (tests, diagnostics). */
  readonly stats = { starts: 0, exits: 0, malformed: 0 };

  constructor(options: EsxiWorkerOptions) {
    this.#o = options;
  }

  /** The worker's thread id while one runs. */
  get threadId(): number | undefined {
    return this.#worker?.threadId;
  }

  /** Registers a host (its settings go to the worker now or when it starts); returns its number. */
  addHost(settings: Readonly<VirtualServerSettings>): number {
    const host = this.#nextHost++;
    this.#hosts.set(host, { ...settings });
    this.#post({ t: "host", host, settings: { ...settings } });
    return host;
  }

  /** Closes a host's connection in the worker; its later calls fail. */
  dropHost(host: number): void {
    if (this.#hosts.delete(host)) this.#post({ t: "drop", host });
  }

  /** Runs one driver call in the worker: a PowerState for `status`, null otherwise. */
  call(
    host: number,
    op: EsxiOp,
    vmName: string | undefined,
    options: CallOptions = {},
  ): Promise<string | null> {
    return new Promise((resolve, reject) => {
      if (this.#closed) {
        reject(workerError("DEVICE_UNREACHABLE", "closed", "the ESXi worker is closed"));
        return;
      }
      const id = this.#nextId++;
      const timeoutMs = options.timeoutMs ?? this.#o.defaultTimeoutMs ?? 10_000;
      const timer = setTimeout(
        () => {
          this.#settle(id, () => {
            this.#post({ t: "abort", id });
            throw workerError(
              "DEVICE_TIMEOUT",
              "worker-timeout",
              `ESXi worker did not answer ${op}${vmName ? ` of ${vmName}` : ""} within ${timeoutMs} ms`,
            );
          });
        },
        timeoutMs + (this.#o.graceMs ?? 2000),
      );
      const signal = options.signal;
      const onAbort = signal ? () => this.#post({ t: "abort", id }) : undefined;
      if (signal && onAbort) signal.addEventListener("abort", onAbort, { once: true });
      this.#pending.set(id, { resolve, reject, timer, signal, onAbort });
      const call: EsxiCall = { id, host, op, timeoutMs };
      if (vmName !== undefined) call.vmName = vmName;
      if (signal?.aborted) onAbort?.();
      // Every call of this turn in one message (the host's guest status batch; protocol.ts).
      if (this.#queue.push(call) === 1) queueMicrotask(() => this.#flush());
    });
  }

  /** Terminates the worker; calls in flight fail. Safe to call twice. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#restartTimer);
    const worker = this.#worker;
    this.#worker = undefined;
    this.#failAll(workerError("DEVICE_UNREACHABLE", "closed", "the ESXi worker was stopped"));
    if (worker) await worker.terminate();
  }

  #flush(): void {
    const calls = this.#queue;
    this.#queue = [];
    let worker: Worker;
    try {
      worker = this.#ensure();
    } catch (error) {
      for (const c of calls) this.#settle(c.id, () => throwIt(error));
      return;
    }
    worker.postMessage({ t: "calls", calls } satisfies ToWorker);
  }

  #post(message: ToWorker): void {
    this.#worker?.postMessage(message);
  }

  #ensure(): Worker {
    if (this.#worker) return this.#worker;
    if (this.#closed) throw workerError("DEVICE_UNREACHABLE", "closed", "the ESXi worker is closed");
    const wait = this.#restartAt - Date.now();
    if (wait > 0) {
      throw workerError(
        "DEVICE_UNREACHABLE",
        "worker-restarting",
        `the ESXi worker thread exited; the next one starts in ${wait} ms`,
      );
    }
    return this.#start();
  }

  #start(): Worker {
    clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
    const worker = new Worker(this.#o.workerUrl ?? defaultEsxiWorkerUrl(), {
      workerData: { hostKeyFile: this.#o.hostKeyFile, niceOffset: this.#o.niceOffset ?? null },
      name: "haconn-esxi",
    });
    worker.unref(); // never keeps the process alive; the daemon's sockets do
    this.#worker = worker;
    this.#bornAt = Date.now();
    this.stats.starts++;
    for (const [host, settings] of this.#hosts)
      worker.postMessage({ t: "host", host, settings } satisfies ToWorker);
    let crash: string | undefined;
    worker.on("message", (m: FromWorker) => this.#onMessage(m));
    worker.on("error", (error) => {
      crash = error instanceof Error ? error.message : String(error);
    });
    worker.on("exit", (code) => this.#onExit(worker, code, crash));
    return worker;
  }

  #onMessage(m: FromWorker): void {
    if (typeof m !== "object" || m === null) {
      this.stats.malformed++;
      return;
    }
    if (m.t === "event") {
      this.#o.onEvent?.(m.event);
      return;
    }
    if (m.t === "priority") {
      const { t: _, ...report } = m;
      this.#o.onPriority?.(report);
      return;
    }
    if (m.t !== "done" || !Array.isArray(m.results)) {
      this.stats.malformed++; // another version's worker (a half-done upgrade): never a crash
      return;
    }
    for (const r of m.results) {
      if (r?.ok === true) this.#settle(r.id, () => r.value);
      else if (r?.ok === false && typeof r.error === "object" && r.error !== null) {
        const error = errorFromWire(r.error);
        this.#settle(r.id, () => throwIt(error));
      } else this.stats.malformed++;
    }
  }

  #onExit(worker: Worker, code: number, crash: string | undefined): void {
    if (this.#worker !== worker) return; // terminated by close()
    this.#worker = undefined;
    this.stats.exits++;
    const failedCalls = this.#pending.size;
    this.#failAll(
      workerError(
        "DEVICE_UNREACHABLE",
        "worker-exited",
        `the ESXi worker thread exited (code ${code}${crash ? `: ${crash}` : ""}) while the call ran: outcome unknown`,
      ),
    );
    const b = this.#o.backoff ?? { initialMs: 500, maxMs: 30_000 };
    const lived = Date.now() - this.#bornAt;
    this.#backoffMs =
      lived >= (this.#o.stableAfterMs ?? 60_000) || this.#backoffMs === 0
        ? b.initialMs
        : Math.min(b.maxMs, this.#backoffMs * 2);
    this.#restartAt = Date.now() + this.#backoffMs;
    const exit: EsxiWorkerExit = { code, failedCalls, restartInMs: this.#backoffMs };
    if (crash !== undefined) exit.error = crash;
    this.#o.onExit?.(exit);
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      if (!this.#closed && !this.#worker && this.#hosts.size > 0) this.#start();
    }, this.#backoffMs);
    this.#restartTimer.unref();
  }

  #failAll(error: DriverError): void {
    for (const id of [...this.#pending.keys()]) this.#settle(id, () => throwIt(error));
    this.#queue = [];
  }

  /** Settles call `id` once with what `outcome` returns or throws. */
  #settle(id: number, outcome: () => string | null): void {
    const p = this.#pending.get(id);
    if (!p) return;
    this.#pending.delete(id);
    clearTimeout(p.timer);
    if (p.signal && p.onAbort) p.signal.removeEventListener("abort", p.onAbort);
    try {
      p.resolve(outcome());
    } catch (error) {
      p.reject(error);
    }
  }
}
