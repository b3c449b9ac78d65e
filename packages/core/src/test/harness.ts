// Engine + executor + fake controllers on a simulated clock, recording everything sent and
// logged. Tests (here and in the daemon) drive it with events and `clock.advance()`.

import type { ResolvedConfig } from "@haconn/config";
import { createEngineState } from "../engine.js";
import { EngineRunner, type EngineInput, type SendEffect } from "../executor.js";
import type { DeviceRef, Effect, EngineOptions, SharedState, VersionedDelta } from "../types.js";
import { FakePowerController, type FakeControllerOptions } from "./fake-controller.js";
import { SimulatedClock } from "./simulated-clock.js";

export function deviceKey(device: DeviceRef): string {
  switch (device.type) {
    case "bmc":
      return `bmc:${device.system}`;
    case "guest":
      return `guest:${device.system}/${device.vmName}`;
    case "outlet":
      return `outlet:${device.pdu}#${device.outlet}`;
  }
}

export interface HarnessOptions {
  options?: Partial<EngineOptions>;
  shared?: SharedState;
  clock?: SimulatedClock;
  /** Defaults for controllers created on first use. */
  controller?: (key: string) => FakeControllerOptions;
  /** Dispatch `start` (polling, resume) at creation. Default false. */
  start?: boolean;
}

/**
 * An `EngineRunner` wired to `FakePowerController`s and a `SimulatedClock`, recording what is sent,
 * logged and changed; `check`, `reset` and `dump` play the HA monitors. For tests and examples.
 */
export class EngineHarness {
  readonly clock: SimulatedClock;
  readonly runner: EngineRunner;
  readonly controllers = new Map<string, FakePowerController>();
  readonly sent: SendEffect[] = [];
  readonly lines: string[] = [];
  readonly notices: string[] = [];
  readonly deltas: VersionedDelta[] = [];
  readonly commandResults: Extract<Effect, { kind: "commandResult" }>[] = [];
  readonly portErrors: unknown[] = [];

  constructor(
    config: ResolvedConfig,
    private readonly opts: HarnessOptions = {},
  ) {
    this.clock = opts.clock ?? new SimulatedClock();
    const state = createEngineState(config, { logTimeZone: "utc", ...opts.options }, opts.shared);
    this.runner = new EngineRunner(state, {
      clock: this.clock,
      controller: (device) => this.controller(deviceKey(device), device),
      send: (e) => this.sent.push(e),
      log: (line) => this.lines.push(line),
      notice: (level, message) => this.notices.push(`${level}: ${message}`),
      stateChanged: (d) => this.deltas.push(...d),
      commandResult: (e) => this.commandResults.push(e),
      portError: (e) => this.portErrors.push(e),
    });
    if (opts.start) this.dispatch({ type: "start" });
  }

  controller(key: string, device?: DeviceRef): FakePowerController {
    let ctl = this.controllers.get(key);
    if (!ctl) {
      const kind = device?.type === "outlet" ? "ipdu" : device?.type === "guest" ? "esxi" : "bmc";
      ctl = new FakePowerController(this.clock, { kind, describe: key, ...this.opts.controller?.(key) });
      this.controllers.set(key, ctl);
    }
    return ctl;
  }

  get state() {
    return this.runner.state;
  }

  dispatch(input: EngineInput): void {
    this.runner.dispatch(input);
  }

  sentOf<K extends SendEffect["kind"]>(kind: K): Extract<SendEffect, { kind: K }>[] {
    return this.sent.filter((e): e is Extract<SendEffect, { kind: K }> => e.kind === kind);
  }

  /** Log lines without their timestamp. */
  get bareLines(): string[] {
    return this.lines.map((l) => l.slice(l.indexOf("]") + 2));
  }

  check(
    subsystem: number,
    system: string,
    opts: {
      vmName?: string;
      pair?: number;
      port?: number;
      addr?: string;
      intervalSec?: number;
      authenticated?: boolean;
    } = {},
  ) {
    const port = opts.port ?? 6001;
    this.dispatch({
      type: "check",
      from: { addr: opts.addr ?? `127.0.0.${100 + (subsystem % 100)}`, port },
      system,
      subsystem,
      port,
      vmName: opts.vmName ?? null,
      pairSubsystem: opts.pair ?? null,
      ...(opts.intervalSec !== undefined ? { intervalSec: opts.intervalSec } : {}),
      ...(opts.authenticated !== undefined ? { authenticated: opts.authenticated } : {}),
    });
  }

  reset(
    requester: number,
    target: number,
    system: string,
    requestId = 1,
    opts: { port?: number; addr?: string; clusterPort?: number; fence?: boolean } = {},
  ) {
    this.dispatch({
      type: "reset",
      from: { addr: opts.addr ?? `127.0.0.${100 + (requester % 100)}`, port: opts.port ?? 6001 },
      requestId,
      system,
      target,
      requester,
      ...(opts.clusterPort !== undefined ? { clusterPort: opts.clusterPort } : {}),
      ...(opts.fence !== undefined ? { fence: opts.fence } : {}),
    });
  }

  dump(subsystem: number | null, addr = `127.0.0.${100 + ((subsystem ?? 0) % 100)}`) {
    this.dispatch({ type: "dumpNotice", from: { addr, port: 7410 }, subsystem });
  }

  stop(): void {
    this.runner.stop();
  }
}
