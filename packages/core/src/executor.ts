// The thin executor: runs the engine's effects with injected ports (controllers, send, log,
// clock) and feeds driver results and timer expiries back as events. All I/O is the caller's.

import type { PowerController, PowerState } from "@haconn/config";
import type { Clock, TimerHandle } from "./clock.js";
import { transition } from "./engine.js";
import type { DeviceRef, Effect, EngineEvent, EngineState, ResetLogRecord, VersionedDelta } from "./types.js";

type DistributiveOmit<T, K extends keyof never> = T extends unknown ? Omit<T, K> : never;
/** An event without its time: the runner stamps it with `clock.now()`. */
export type EngineInput = DistributiveOmit<EngineEvent, "now">;

export type SendEffect = Extract<
  Effect,
  { kind: "sendCheckReply" | "sendAccepted" | "sendResult" | "sendAttention" }
>;

export interface ExecutorPorts {
  clock: Clock;
  /** The driver of a device; may throw when the device is not configured. */
  controller(device: DeviceRef): PowerController;
  send(effect: SendEffect): void;
  log(line: string, record: ResetLogRecord): void;
  notice?(level: "info" | "warn" | "error", message: string): void;
  stateChanged?(deltas: VersionedDelta[]): void;
  commandResult?(effect: Extract<Effect, { kind: "commandResult" }>): void;
  /** A port threw: reported, never fatal to the engine. */
  portError?(error: unknown, effect: Effect): void;
}

function driverCode(error: unknown): { code: string; message: string } {
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === "string" && code.startsWith("DEVICE_")
    ? { code, message }
    : { code: "UNKNOWN", message };
}

async function callDevice(
  ctl: PowerController,
  op: Extract<Effect, { kind: "device" }>["op"],
  timeoutMs: number,
): Promise<PowerState | undefined> {
  const options = { timeoutMs };
  switch (op) {
    case "status":
      return ctl.status(options);
    case "nmi":
      if (!ctl.nmi)
        throw Object.assign(new Error(`${ctl.describe}: NMI not supported`), { code: "DEVICE_UNSUPPORTED" });
      await ctl.nmi(options);
      return undefined;
    case "reset":
      await ctl.reset(options);
      return undefined;
    case "on":
      await ctl.on(options);
      return undefined;
    case "off":
      await ctl.off(options);
      return undefined;
  }
}

/** Effects that act on devices, the network or timers (see EngineRunner.runEffects). */
function isOutward(effect: Effect): boolean {
  switch (effect.kind) {
    case "device":
    case "setTimer":
    case "clearTimer":
    case "sendCheckReply":
    case "sendAccepted":
    case "sendResult":
    case "sendAttention":
      return true;
    default:
      return false;
  }
}

export class EngineRunner {
  private current: EngineState;
  private readonly timers = new Map<string, TimerHandle>();
  private stopped = false;
  /** Events dispatched while effects of another event run are queued, never nested. */
  private readonly queue: EngineEvent[] = [];
  private running = false;

  constructor(
    state: EngineState,
    private readonly ports: ExecutorPorts,
  ) {
    this.current = state;
  }

  get state(): EngineState {
    return this.current;
  }

  /** Stamps the event with the clock's time, runs the transition and its effects. */
  dispatch(input: EngineInput): void {
    if (this.stopped) return;
    this.queue.push({ ...input, now: this.ports.clock.now() } as EngineEvent);
    if (this.running) return;
    this.running = true;
    try {
      for (let ev = this.queue.shift(); ev; ev = this.queue.shift()) {
        const [next, effects] = transition(this.current, ev);
        this.current = next;
        this.runEffects(effects);
      }
    } finally {
      this.running = false;
    }
  }

  /** Cancels every timer; driver calls in flight finish but their results are dropped. */
  stop(): void {
    this.stopped = true;
    for (const handle of this.timers.values()) this.ports.clock.clearTimeout(handle);
    this.timers.clear();
  }

  /**
   * The outside world first, the books after: device calls, datagrams and timers of a step run
   * before its reset-log lines, notices, state publication and command results, each group in
   * the engine's order. What is measured against the clock (a RESET to its NMI, a DUMP notice
   * to its ATTENTION) then does not wait for bookkeeping; the books record event times
   * (`record.at`), not the time they are written.
   */
  runEffects(effects: readonly Effect[]): void {
    for (const effect of effects) if (isOutward(effect)) this.tryEffect(effect);
    for (const effect of effects) if (!isOutward(effect)) this.tryEffect(effect);
  }

  private tryEffect(effect: Effect): void {
    try {
      this.runEffect(effect);
    } catch (error) {
      this.ports.portError?.(error, effect);
    }
  }

  private runEffect(effect: Effect): void {
    const { ports } = this;
    switch (effect.kind) {
      case "device": {
        this.device(effect);
        return;
      }
      case "setTimer": {
        this.setTimer(effect.id, effect.at);
        return;
      }
      case "clearTimer": {
        const handle = this.timers.get(effect.id);
        if (handle !== undefined) ports.clock.clearTimeout(handle);
        this.timers.delete(effect.id);
        return;
      }
      case "sendCheckReply":
      case "sendAccepted":
      case "sendResult":
      case "sendAttention": {
        ports.send(effect);
        return;
      }
      case "log": {
        ports.log(effect.line, effect.record);
        return;
      }
      case "notice": {
        ports.notice?.(effect.level, effect.message);
        return;
      }
      case "stateChanged": {
        ports.stateChanged?.(effect.deltas);
        return;
      }
      case "commandResult": {
        ports.commandResult?.(effect);
        return;
      }
    }
  }

  private setTimer(id: string, at: number): void {
    const { clock } = this.ports;
    const previous = this.timers.get(id);
    if (previous !== undefined) clock.clearTimeout(previous);
    const arm = () => {
      const handle = clock.setTimeout(
        () => {
          // A timer may fire a little early against the clock: re-arm for the remainder.
          if (clock.now() < at - 0.001) return arm();
          this.timers.delete(id);
          this.dispatch({ type: "timer", id });
        },
        Math.max(0, at - clock.now()),
      );
      this.timers.set(id, handle);
    };
    arm();
  }

  private device(effect: Extract<Effect, { kind: "device" }>): void {
    const { device, op, tag } = effect;
    let call: Promise<PowerState | undefined>;
    try {
      call = callDevice(this.ports.controller(device), op, effect.timeoutMs);
    } catch (error) {
      call = Promise.reject(error);
    }
    call.then(
      (power) =>
        this.dispatch(
          power === undefined
            ? { type: "deviceResult", device, op, tag, ok: true }
            : { type: "deviceResult", device, op, tag, ok: true, power },
        ),
      (error: unknown) => {
        const { code, message } = driverCode(error);
        this.dispatch({
          type: "deviceResult",
          device,
          op,
          tag,
          ok: false,
          code: code as Extract<EngineEvent, { ok: false }>["code"],
          message,
        });
      },
    );
  }
}
