// A scriptable PowerController for engine tests: latency per operation (on the injected clock),
// failures by code, NMI unsupported, a power state that follows on/off/reset, call history.

import { DriverError, type DriverErrorCode, type PowerController, type PowerState } from "@haconn/config";
import type { Clock } from "../clock.js";

export type FakeOp = "status" | "on" | "off" | "reset" | "nmi";

export interface FakeCall {
  op: FakeOp;
  at: number;
}

export interface FakeControllerOptions {
  kind?: PowerController["kind"];
  describe?: string;
  power?: PowerState;
  /** Milliseconds each operation takes (default 0 = answers on the next microtask). */
  latencyMs?: Partial<Record<FakeOp, number>>;
  /** Operations that fail, with the error code; `hang` never answers. */
  fail?: Partial<Record<FakeOp, DriverErrorCode | "hang">>;
  nmiSupported?: boolean;
}

/** A `PowerController` in memory on a simulated clock: records every call and answers as told. */
export class FakePowerController implements PowerController {
  readonly kind: PowerController["kind"];
  readonly describe: string;
  power: PowerState;
  latencyMs: Partial<Record<FakeOp, number>>;
  fail: Partial<Record<FakeOp, DriverErrorCode | "hang">>;
  readonly calls: FakeCall[] = [];
  readonly nmi?: PowerController["nmi"];

  constructor(
    private readonly clock: Clock,
    options: FakeControllerOptions = {},
  ) {
    this.kind = options.kind ?? "bmc";
    this.describe = options.describe ?? `fake ${this.kind}`;
    this.power = options.power ?? "on";
    this.latencyMs = { ...options.latencyMs };
    this.fail = { ...options.fail };
    if (options.nmiSupported !== false) this.nmi = () => this.run("nmi", () => undefined);
  }

  /** How many times an operation was called. */
  count(op: FakeOp): number {
    return this.calls.filter((c) => c.op === op).length;
  }

  private run<T>(op: FakeOp, effect: () => T): Promise<T> {
    this.calls.push({ op, at: this.clock.now() });
    const failure = this.fail[op];
    if (failure === "hang") return new Promise<T>(() => {});
    const settle = (resolve: (v: T) => void, reject: (e: unknown) => void) => {
      if (failure) reject(new DriverError(failure, `${this.describe}: ${op} failed (${failure})`));
      else resolve(effect());
    };
    const latency = this.latencyMs[op] ?? 0;
    if (latency <= 0) return new Promise<T>((resolve, reject) => settle(resolve, reject));
    return new Promise<T>((resolve, reject) => {
      this.clock.setTimeout(() => settle(resolve, reject), latency);
    });
  }

  status(): Promise<PowerState> {
    return this.run("status", () => this.power);
  }
  on(): Promise<void> {
    return this.run("on", () => {
      this.power = "on";
    });
  }
  off(): Promise<void> {
    return this.run("off", () => {
      this.power = "off";
    });
  }
  reset(): Promise<void> {
    return this.run("reset", () => undefined);
  }
}
