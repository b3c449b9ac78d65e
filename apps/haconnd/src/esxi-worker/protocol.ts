// The messages between the daemon's main thread and its ESXi worker thread (worker.ts). Only
// what a call needs crosses: the host's settings once (the password included: a worker message
// stays in the process, it is never logged), then calls by number, their results, host events.
import type { VirtualServerSettings } from "@haconn/config";
import type { EsxiHostEvent } from "@haconn/esxi";

/** workerData of the worker: where trust-on-first-use host keys are recorded. */
export interface EsxiWorkerInit {
  hostKeyFile: string;
  /** Nice levels below the main thread (the reset path) for the worker's thread; null = as it is. */
  niceOffset: number | null;
}

export type EsxiOp = "status" | "on" | "off" | "reset" | "nmi" | "connect";

export interface EsxiCall {
  id: number;
  /** The host's number (given by the main thread with its settings). */
  host: number;
  op: EsxiOp;
  /** The guest's VM name; absent for `connect` (the host's link check). */
  vmName?: string;
  timeoutMs?: number;
}

export type ToWorker =
  | { t: "host"; host: number; settings: VirtualServerSettings }
  | { t: "drop"; host: number }
  /** Every call of one main-thread turn together: the guests' status calls of a poll round
   *  reach the host's batch (one command per host) in one worker turn, as they did in-thread. */
  | { t: "calls"; calls: EsxiCall[] }
  | { t: "abort"; id: number };

/** A failed call's error, as the engine reads it (`code`, message, details). */
export interface WireError {
  name: string;
  code: string | undefined;
  message: string;
  retryable: boolean | undefined;
  details: Record<string, unknown> | undefined;
}

export type CallResult =
  | { id: number; ok: true; value: string | null }
  | { id: number; ok: false; error: WireError };

export type FromWorker =
  /** The results settled in one worker turn together (a host's poll answers: one message). */
  | { t: "done"; results: CallResult[] }
  | { t: "event"; event: EsxiHostEvent }
  /** Once at start, when asked to run below the main thread: what it did. */
  | { t: "priority"; tid: number; nice: number; error?: string };
