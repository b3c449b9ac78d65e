// The thin executor: runs the engine's effects with injected ports (controllers, send, log,
// clock) and feeds driver results and timer expiries back as events. All I/O is the caller's.

import type { PowerController, PowerState } from "@haconn/config";
import type { Clock, TimerHandle } from "./clock.js";
import { transition } from "./engine.js";
import type {
  DeviceRef,
  Effect,
  EngineEvent,
  EngineState,
  LogLimit,
  ResetLogRecord,
  VersionedDelta,
} from "./types.js";
import { WindowLimit } from "./window-limit.js";

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
  /**
   * Runs `work` later, in a loop turn of its own, after the I/O already waiting (the daemon:
   * `setImmediate`). Given, each step's fan-out (RESET-RESULT, ATTENTION copies) and books
   * (reset-log lines, notices, command results; not the state publication) go there, one step
   * per turn: RESETs that arrive together are all answered and their NMIs sent
   * before the first step's reset-log lines, and a hardware reset that falls due while results
   * fan out waits for at most one step's datagrams (see `runEffects`). Absent (tests, tools):
   * they run at the end of the dispatch, as they always did.
   */
  defer?(work: () => void): void;
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

interface ArmedTimer {
  handle: TimerHandle;
  /** Due time (clock ms). */
  at: number;
  /** Order of arming: ties of `at` fire in the order they were set. */
  seq: number;
}

/** Effects that act on devices, the network or timers (see EngineRunner.runEffects). */
function isOutward(effect: Effect): boolean {
  return isUrgent(effect) || isFanOut(effect);
}

/** What a step must do at once: device calls, timers, the answer to the datagram that caused it. */
function isUrgent(effect: Effect): boolean {
  switch (effect.kind) {
    case "device":
    case "setTimer":
    case "clearTimer":
    case "sendCheckReply":
    case "sendAccepted":
      return true;
    default:
      return false;
  }
}

/**
 * With `defer`, what runs at once: the urgent effects and the state publication (the standby
 * must learn of an NMI as soon as it went out: a takeover right after it must not send a second
 * NMI into a dumping kernel; faults-kill-phases "killed right after the NMI" caught it).
 */
function atOnceWhenDeferring(effect: Effect): boolean {
  return isUrgent(effect) || effect.kind === "stateChanged";
}

/** Datagrams to many (a result to its requesters, ATTENTION to a cluster): deferred with `defer`. */
function isFanOut(effect: Effect): boolean {
  return effect.kind === "sendResult" || effect.kind === "sendAttention";
}

/**
 * Lines of RESETs refused or answered from the state (effects with `limit`): one group of lines
 * (RECV, SEND, notice) per reason per source a minute, at most 60 groups a minute in all; a
 * fixed table, whatever the number of sources.
 */
function limitedLines(): WindowLimit {
  return new WindowLimit({ slots: 1024, windowMs: 60_000, perKey: 1, global: 60 });
}

/** What the limit on refused RESETs' lines counted (in the daemon's state dump). */
export interface LimitedLogStats {
  /** Requests whose lines carried a limit, by reason (`ERROR/unknownTarget`, `attached`, ...). */
  byReason: Record<string, number>;
  /** Of those, requests whose lines were not written. */
  suppressed: number;
}

export class EngineRunner {
  private current: EngineState;
  private readonly lineLimit = limitedLines();
  readonly limitedLog: LimitedLogStats = { byReason: {}, suppressed: 0 };
  /** Suppressed at the last line written: the next line written reports the difference. */
  private reportedSuppressed = 0;
  private readonly timers = new Map<string, ArmedTimer>();
  private timerSeq = 0;
  /** No armed timer is due before this (a lower bound: exact after each scan of queueDue). */
  private earliest = Number.POSITIVE_INFINITY;
  /** Timer events queued by `fireDue`, by timer id; a step that clears or re-sets the id drops it. */
  private readonly firing = new Map<string, EngineEvent>();
  private readonly queuedByTimer = new WeakSet<EngineEvent>();
  private stopped = false;
  /** Events dispatched while effects of another event run are queued, never nested. */
  private readonly queue: EngineEvent[] = [];
  /** Books (inward effects) of the steps run in this turn, written once every step's outward effects went out. */
  private readonly books: Effect[][] = [];
  /** With `ports.defer`: each step's fan-out and books, run one step per deferred turn. */
  private readonly later: Effect[][] = [];
  private laterScheduled = false;
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

  /**
   * Stamps the event with the clock's time, runs the transition and its effects. A timer of ours
   * already due by then, whose callback has not run yet (the loop was busy with other I/O), is
   * taken first: events are handled in the order of their times, so a hardware reset due at
   * NMI + hispeed waits for at most the one callback that was running, not for every datagram
   * and driver result that was ready, and a DUMP notice handled after that deadline no longer
   * overtakes it (one handled exactly at the deadline still does).
   */
  dispatch(input: EngineInput): void {
    if (this.stopped) return;
    const now = this.ports.clock.now();
    // Strictly overdue only: an event at the very instant of a deadline still goes first (a DUMP
    // notice exactly at NMI + hispeed wins, as it always did).
    if (now > this.earliest) this.queueDue(now, now - 0.002);
    this.queue.push({ ...input, now } as EngineEvent);
    this.drain();
  }

  /**
   * Runs the queued events: each step's outward effects at once, the books of every step of this
   * turn after the last step's outward effects (see `runEffects`). Events queued while books are
   * written (a port that dispatches) get their own round.
   */
  private drain(): void {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length > 0 || this.books.length > 0) {
        for (let ev = this.queue.shift(); ev; ev = this.queue.shift()) {
          if (ev.type === "timer" && !this.stillDue(ev)) continue;
          const [next, effects] = transition(this.current, ev);
          this.current = next;
          if (this.ports.defer) {
            for (const effect of effects) if (atOnceWhenDeferring(effect)) this.tryEffect(effect);
            this.deferRest(effects);
          } else {
            this.runOutward(effects);
            this.books.push(effects);
          }
        }
        for (let effects = this.books.shift(); effects; effects = this.books.shift()) this.runBooks(effects);
      }
    } finally {
      this.running = false;
    }
  }

  /** A step's fan-out and books, for a later turn (steps without any are not queued). */
  private deferRest(effects: readonly Effect[]): void {
    if (!effects.some((e) => !atOnceWhenDeferring(e))) return;
    this.later.push(effects as Effect[]);
    this.scheduleLater();
  }

  private scheduleLater(): void {
    if (this.laterScheduled || this.later.length === 0) return;
    this.laterScheduled = true;
    this.ports.defer!(() => {
      this.laterScheduled = false;
      this.runLater(1);
    });
  }

  /**
   * Runs up to `steps` deferred steps: first any timer of ours that fell due meanwhile (its
   * device write goes before this step's datagrams), then the step's fan-out, then its books.
   */
  private runLater(steps: number): void {
    for (let i = 0; i < steps; i++) {
      const effects = this.later.shift();
      if (!effects) break;
      if (!this.stopped) {
        const now = this.ports.clock.now();
        if (now > this.earliest) {
          this.queueDue(now, now);
          this.drain();
        }
      }
      for (const effect of effects) if (isFanOut(effect)) this.tryEffect(effect);
      this.runBooks(effects, true);
    }
    this.scheduleLater();
  }

  /** Cancels every timer; driver calls in flight finish but their results are dropped. */
  stop(): void {
    this.stopped = true;
    // Deferred books (reset-log lines, state publication) are written, not lost.
    this.runLater(this.later.length);
    for (const timer of this.timers.values()) this.ports.clock.clearTimeout(timer.handle);
    this.timers.clear();
  }

  /**
   * The outside world first, the books after: device calls, datagrams and timers of a step run
   * before its reset-log lines, notices, state publication and command results, each group in
   * the engine's order. What is measured against the clock (a RESET to its NMI, a DUMP notice
   * to its ATTENTION) then does not wait for bookkeeping; the books record event times
   * (`record.at`), not the time they are written.
   *
   * Across steps of one turn (timers that fell due together: 16 hispeed timers of a storm, a
   * RESET and a driver result queued behind another step) the same holds: `dispatch` runs every
   * queued step's outward effects before the first step's books, so the 16th hardware reset
   * does not wait for 15 steps' log lines and state publication. Each group keeps the engine's
   * order, per step and across steps.
   *
   * With `ports.defer` (the daemon), `dispatch` goes further: a step's urgent effects (device
   * calls, timers, the CHECK reply or RESET-ACCEPTED) and its state publication run at once, its
   * fan-out (RESET-RESULT, ATTENTION copies) and other books in a deferred turn of their own, one
   * step per turn, each turn taking first any of our timers that fell due meanwhile.
   */
  runEffects(effects: readonly Effect[]): void {
    this.runOutward(effects);
    this.runBooks(effects);
  }

  private runOutward(effects: readonly Effect[]): void {
    for (const effect of effects) if (isOutward(effect)) this.tryEffect(effect);
  }

  /** The books of a step; `published`: its state publication already ran (with `defer`). */
  private runBooks(effects: readonly Effect[], published = false): void {
    const decided = new Map<string, boolean>();
    for (const effect of effects) {
      if (isOutward(effect) || (published && effect.kind === "stateChanged")) continue;
      if ((effect.kind === "log" || effect.kind === "notice") && effect.limit) {
        if (!this.mayWrite(effect.limit, decided)) continue;
      }
      this.tryEffect(effect);
    }
  }

  /** One decision per (reason, source) and step: a request's lines are written together or not at all. */
  private mayWrite(limit: LogLimit, decided: Map<string, boolean>): boolean {
    const key = `${limit.reason} ${limit.source}`;
    const known = decided.get(key);
    if (known !== undefined) return known;
    const stats = this.limitedLog;
    stats.byReason[limit.reason] = (stats.byReason[limit.reason] ?? 0) + 1;
    const ok = this.lineLimit.allow(key, this.ports.clock.now());
    decided.set(key, ok);
    if (!ok) {
      stats.suppressed += 1;
      return false;
    }
    const more = stats.suppressed - this.reportedSuppressed;
    if (more > 0) {
      this.reportedSuppressed = stats.suppressed;
      this.tryEffect({
        kind: "notice",
        level: "warn",
        message: `reset path: ${more} refused RESET(s) not logged (at most one per reason per source a minute; counted by reason in the state dump)`,
      });
    }
    return true;
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
        const timer = this.timers.get(effect.id);
        if (timer !== undefined) ports.clock.clearTimeout(timer.handle);
        this.timers.delete(effect.id);
        this.firing.delete(effect.id);
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

  /** A timer event queued with others that fell due: false when a step before it cleared or re-set that timer. */
  private stillDue(ev: Extract<EngineEvent, { type: "timer" }>): boolean {
    const queued = this.firing.get(ev.id);
    if (queued === ev) this.firing.delete(ev.id);
    return queued === ev || !this.queuedByTimer.has(ev);
  }

  private setTimer(id: string, at: number): void {
    this.firing.delete(id);
    const { clock } = this.ports;
    const previous = this.timers.get(id);
    if (previous !== undefined) clock.clearTimeout(previous.handle);
    const timer: ArmedTimer = { handle: undefined, at, seq: ++this.timerSeq };
    this.earliest = Math.min(this.earliest, at);
    const arm = () => {
      timer.handle = clock.setTimeout(
        () => {
          // A timer may fire a little early against the clock: re-arm for the remainder.
          if (clock.now() < at - 0.001) return arm();
          this.fireDue();
        },
        Math.max(0, at - clock.now()),
      );
    };
    this.timers.set(id, timer);
    arm();
  }

  /**
   * A timer fired: every timer of ours that is due by now runs in this turn, in due order (then
   * the order they were set), so their steps' device writes go out before any of their books.
   */
  private fireDue(): void {
    if (this.stopped) return;
    const now = this.ports.clock.now();
    this.queueDue(now, now);
    this.drain();
  }

  /** Queues every armed timer due by `by`, stamped `now` (due order, then arming order); cheap when none is. */
  private queueDue(now: number, by: number): void {
    if (by + 0.001 < this.earliest) return;
    const due: [string, ArmedTimer][] = [];
    let earliest = Number.POSITIVE_INFINITY;
    for (const entry of this.timers) {
      if (entry[1].at <= by + 0.001) due.push(entry);
      else earliest = Math.min(earliest, entry[1].at);
    }
    this.earliest = earliest;
    due.sort((a, b) => a[1].at - b[1].at || a[1].seq - b[1].seq);
    for (const [id, timer] of due) {
      this.ports.clock.clearTimeout(timer.handle);
      this.timers.delete(id);
      const event: EngineEvent = { type: "timer", id, now };
      this.queuedByTimer.add(event);
      this.firing.set(id, event);
      this.queue.push(event);
    }
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
