// One transition in progress: the current state, the deltas it produced and the effects to run.
// Handlers mutate only through `apply` (replicated state) and `setLocal` (node-local state).

import type { ResolvedConfig } from "@haconn/config";

type Server = ResolvedConfig["pservers"][number];
type Pdu = ResolvedConfig["pdus"][number];
import { applyDelta } from "./deltas.js";
import { formatLogTime, formatResetLog } from "./reset-log.js";
import type {
  Delta,
  DeviceOp,
  DeviceRef,
  Effect,
  EngineState,
  LocalState,
  LogLimit,
  OpTag,
  ResetLogRecord,
  VersionedDelta,
} from "./types.js";

type DistributiveOmit<T, K extends keyof never> = T extends unknown ? Omit<T, K> : never;

export class Tx {
  readonly deltas: VersionedDelta[] = [];
  readonly effects: Effect[] = [];
  private stamp: string | undefined;

  constructor(
    public state: EngineState,
    readonly now: number,
  ) {}

  get shared() {
    return this.state.shared;
  }
  get config() {
    return this.state.config;
  }
  get options() {
    return this.state.options;
  }

  apply(delta: Delta): void {
    const shared = applyDelta(this.state.shared, delta);
    this.state = { ...this.state, shared };
    this.deltas.push({ ...delta, version: shared.version });
  }

  setLocal(patch: Partial<LocalState>): void {
    this.state = { ...this.state, local: { ...this.state.local, ...patch } };
  }

  emit(effect: Effect): void {
    this.effects.push(effect);
  }

  log(record: DistributiveOmit<ResetLogRecord, "at">, limit?: LogLimit): void {
    const full = { ...record, at: this.now } as ResetLogRecord;
    this.stamp ??= formatLogTime(this.now, this.options.logTimeZone);
    this.emit({
      kind: "log",
      line: formatResetLog(full, this.options.logTimeZone, this.stamp),
      record: full,
      ...(limit ? { limit } : {}),
    });
  }

  notice(level: "info" | "warn" | "error", message: string, limit?: LogLimit): void {
    this.emit({ kind: "notice", level, message, ...(limit ? { limit } : {}) });
  }

  device(op: DeviceOp, device: DeviceRef, tag: OpTag, timeoutMs = this.options.deviceCallTimeoutMs): void {
    this.emit({ kind: "device", op, device, tag, timeoutMs: Math.max(1, Math.round(timeoutMs)) });
  }

  setTimer(id: string, at: number): void {
    this.emit({ kind: "setTimer", id, at });
  }

  clearTimer(id: string): void {
    this.emit({ kind: "clearTimer", id });
  }

  server(name: string): Server | undefined {
    return this.config.pservers.find((s) => s.name === name);
  }

  pdu(key: string): Pdu | undefined {
    return this.config.pdus.find((p) => p.key === key);
  }

  nextEventId(): number {
    const id = this.shared.nextEventId;
    this.apply({ op: "seq", name: "event", value: id + 1 });
    return id;
  }

  nextJobId(): number {
    const id = this.shared.nextJobId;
    this.apply({ op: "seq", name: "job", value: id + 1 });
    return id;
  }
}
