// The managed side of the world: systems (physical servers' partitions and ESXi guests) with
// their HA monitors and dump notifiers, and the devices that reset them (BMCs, ESXi hosts,
// PDU outlets). A device carries a command out halfway through its latency, then answers; a
// slow one may answer after the caller's deadline (the command may still have happened), a
// dead one never answers, a lying one acknowledges an NMI that does nothing.

import type { DeviceRef, Effect, EngineEvent } from "@haconn/core";
import type { Invariants, ResetRequestRecord } from "./invariants.js";
import type { DeviceMode, Scenario } from "./scenario.js";
import { Rng } from "./prng.js";
import type { World } from "./world.js";

export type SystemState = "up" | "hung" | "dumping" | "down" | "off";

export type ToConnector =
  | { type: "check"; system: number }
  | { type: "reset"; requester: number; target: number; requestId: number; fence: boolean }
  | { type: "dumpNotice"; system: number; kdump: boolean };

export type ToMonitor =
  | { type: "accepted"; requestId: number }
  | { type: "result"; requestId: number; result: string }
  | { type: "other" };

type DeviceEffect = Extract<Effect, { kind: "device" }>;
type DeviceAnswer = Pick<Extract<EngineEvent, { type: "deviceResult" }>, "ok"> & {
  power?: "on" | "off";
  code?: "DEVICE_TIMEOUT";
};

const CHECK_EVERY_MS = 1000;
const RETRANSMIT_MS = 1000;
const GIVE_UP_MS = 30_000;
/** A re-fence is sent at least this long before the run ends. */
const REFENCE_MARGIN_MS = 12_000;

interface SystemRuntime {
  state: SystemState;
  /** Changes whenever the system stops or boots: loops of an older life end. */
  life: number;
  open: ResetRequestRecord[];
  dumpAcked: boolean;
}

export class ManagedWorld {
  readonly runtime: SystemRuntime[];
  private readonly outletOn = new Map<string, boolean>();
  private nextRequestId = 1;
  /** Draws of the opt-in re-fence (scenario.refence), apart from the world's stream. */
  private readonly refenceRng: Rng;
  private readonly refenced = new Set<number>();

  constructor(
    private readonly world: World,
    private readonly scenario: Scenario,
    private readonly checks: Invariants,
    /** Sends a datagram to the reset-path VIP (through the lossy network). */
    private readonly toVip: (from: number, msg: ToConnector) => void,
  ) {
    this.runtime = scenario.systems.map(() => ({
      state: "up" as SystemState,
      life: 0,
      open: [],
      dumpAcked: false,
    }));
    this.refenceRng = new Rng((scenario.seed ^ 0x0fe0ce) >>> 0);
  }

  start(): void {
    for (let i = 0; i < this.scenario.systems.length; i++) this.boot(i, this.world.rng.int(0, 300));
  }

  name(i: number): string {
    return this.scenario.systems[i]?.name ?? `#${i}`;
  }

  byAddr(addr: string): number {
    return this.scenario.systems.findIndex((s) => s.addr === addr);
  }

  // ------------------------------------------------------------ systems and monitors

  private boot(i: number, delay: number): void {
    const rt = this.runtime[i]!;
    const life = ++rt.life;
    rt.state = "down";
    this.world.schedule(delay, `boot ${this.name(i)}`, () => {
      if (rt.life !== life) return;
      rt.state = "up";
      this.checks.booted(i);
      this.checkLoop(i, life);
    });
  }

  /** The system stops (hang excepted): its monitor dies and its open requests are abandoned. */
  private stop(i: number, state: SystemState): void {
    const rt = this.runtime[i]!;
    rt.life++;
    rt.state = state;
    for (const r of rt.open) if (r.results.length === 0) r.abandoned = true;
    rt.open = [];
  }

  private checkLoop(i: number, life: number): void {
    const rt = this.runtime[i]!;
    if (rt.life !== life || rt.state !== "up") return;
    this.toVip(i, { type: "check", system: i });
    this.world.schedule(CHECK_EVERY_MS + this.world.rng.int(0, 50), `check loop ${this.name(i)}`, () =>
      this.checkLoop(i, life),
    );
  }

  hang(i: number): void {
    const rt = this.runtime[i]!;
    if (rt.state !== "up") return;
    rt.state = "hung";
    for (const r of rt.open) if (r.results.length === 0) r.abandoned = true;
    rt.open = [];
    rt.life++;
    const peer = this.scenario.systems[i]!.peer;
    this.world.schedule(
      this.world.rng.int(800, 1500),
      `${this.name(peer)} detects ${this.name(i)} failed`,
      () => this.requestReset(peer, i),
    );
  }

  split(i: number, skewMs: number): void {
    const peer = this.scenario.systems[i]!.peer;
    this.world.schedule(0, `${this.name(i)} detects ${this.name(peer)} failed`, () =>
      this.requestReset(i, peer),
    );
    this.world.schedule(skewMs, `${this.name(peer)} detects ${this.name(i)} failed`, () =>
      this.requestReset(peer, i),
    );
  }

  private requestReset(requester: number, target: number, fence?: boolean): void {
    const rt = this.runtime[requester]!;
    if (rt.state !== "up") return;
    const record: ResetRequestRecord = {
      id: this.nextRequestId++,
      requester,
      target,
      sentAt: this.world.now,
      accepted: false,
      results: [],
      abandoned: false,
      // Every other request carries the FENCE flag (docs/protocol.md §4.3), as fence_haconn does;
      // chosen by id, not drawn, so that the seeds' random streams (and their replays) stay as they were.
      fence: fence ?? this.nextRequestId % 2 === 0,
    };
    rt.open.push(record);
    this.checks.requestSent(record);
    const life = rt.life;
    const send = () => {
      if (rt.life !== life || record.results.length > 0) return;
      if (this.world.now - record.sentAt > GIVE_UP_MS) return;
      this.toVip(requester, { type: "reset", requester, target, requestId: record.id, fence: record.fence });
      this.world.schedule(RETRANSMIT_MS, `${this.name(requester)} RESET #${record.id} retransmit`, send);
    };
    send();
  }

  /** A datagram from the connector reaches a system's monitor (dropped unless it runs). */
  deliver(i: number, msg: ToMonitor): void {
    const rt = this.runtime[i];
    if (rt?.state !== "up" || msg.type === "other") return;
    const record = this.checks.requests.get(msg.requestId);
    if (!record || record.requester !== i) return;
    if (msg.type === "result") {
      this.checks.resultReceived(msg.requestId, msg.result);
      if (this.scenario.refence && msg.result === "DUMP" && !this.refenced.has(record.id)) {
        // Once per first request: the re-fence's own DUMP does not ask again.
        this.refenced.add(record.id);
        const delay = this.refenceRng.int(2500, 4500);
        // Only when the second reset can end before the run does (hispeed up to 5 s, a hardware
        // reset's acknowledgement window, a takeover's grace): else `result-missing` by design.
        const end = this.scenario.faultMs + this.scenario.quietMs;
        if (this.world.now + delay > end - REFENCE_MARGIN_MS) return;
        this.world.schedule(delay, `${this.name(i)} fences ${this.name(record.target)} again`, () => {
          const again = this.nextRequestId;
          this.refenced.add(again);
          this.requestReset(i, record.target, true);
        });
      }
    }
  }

  // ------------------------------------------------------------ devices

  private mode(device: DeviceRef): DeviceMode {
    const key =
      device.type === "bmc"
        ? `bmc:${device.system}`
        : device.type === "guest"
          ? `esxi:${device.system}`
          : `pdu:${device.pdu}`;
    return this.scenario.devices[key] ?? "ok";
  }

  /** The system a device command acts on, or null (e.g. a virtual server's own BMC). */
  systemOf(device: DeviceRef): number | null {
    const systems = this.scenario.systems;
    let i = -1;
    if (device.type === "bmc") i = systems.findIndex((s) => s.server === device.system && s.vmName === null);
    else if (device.type === "guest")
      i = systems.findIndex((s) => s.server === device.system && s.vmName === device.vmName);
    else {
      const server = this.scenario.config.pservers.find((s) =>
        s.outlets.some((o) => o.pdu === device.pdu && o.outlet === device.outlet),
      );
      if (server) i = systems.findIndex((s) => s.server === server.name && s.vmName === null);
    }
    return i < 0 ? null : i;
  }

  private outletKey(pdu: string, outlet: number): string {
    return `${pdu}#${outlet}`;
  }

  /** Runs a command; `answer` is called once with the device's answer or a timeout. */
  call(fx: DeviceEffect, label: string, answer: (a: DeviceAnswer) => void): void {
    const mode = this.mode(fx.device);
    const rng = this.world.rng;
    const timeout = fx.timeoutMs;
    if (mode === "dead") {
      this.world.schedule(timeout, `${label} timeout`, () => answer({ ok: false, code: "DEVICE_TIMEOUT" }));
      return;
    }
    const latency = mode === "slow" ? rng.int(300, 4000) : rng.int(2, 60);
    const effectAt = Math.floor(latency / 2);
    if (effectAt < timeout) this.world.schedule(effectAt, `${label} happens`, () => this.carryOut(fx, mode));
    if (latency <= timeout) {
      this.world.schedule(latency, `${label} answered`, () => answer({ ok: true, ...this.read(fx) }));
    } else {
      this.world.schedule(timeout, `${label} timeout`, () => answer({ ok: false, code: "DEVICE_TIMEOUT" }));
    }
  }

  private read(fx: DeviceEffect): { power?: "on" | "off" } {
    if (fx.op !== "status") return {};
    const d = fx.device;
    if (d.type === "outlet")
      return { power: this.outletOn.get(this.outletKey(d.pdu, d.outlet)) === false ? "off" : "on" };
    const i = this.systemOf(d);
    return { power: i !== null && this.runtime[i]!.state === "off" ? "off" : "on" };
  }

  private carryOut(fx: DeviceEffect, mode: DeviceMode): void {
    const d = fx.device;
    const i = this.systemOf(d);
    if (d.type === "outlet" && (fx.op === "off" || fx.op === "on")) {
      this.outletOn.set(this.outletKey(d.pdu, d.outlet), fx.op === "on");
      if (i === null) return;
      const server = this.scenario.config.pservers.find((s) => s.name === this.scenario.systems[i]!.server)!;
      const powered = server.outlets.some(
        (o) => this.outletOn.get(this.outletKey(o.pdu, o.outlet)) !== false,
      );
      if (fx.op === "off") {
        this.checks.destructiveExecuted(i, "outlet off");
        if (!powered && this.runtime[i]!.state !== "off") this.stop(i, "off");
      } else if (powered && this.runtime[i]!.state === "off") {
        this.boot(i, this.world.rng.int(1000, 3000));
      }
      return;
    }
    if (i === null) return;
    const rt = this.runtime[i]!;
    if (fx.op === "nmi") {
      // A lying BMC acknowledges an NMI that resets nothing: the system runs on and may still ask
      // for its peer's reset, so it is not "down from a reset" for the pair-race invariant.
      if (mode === "lyingNmi") return;
      this.checks.destructiveExecuted(i, "NMI");
      if (rt.state !== "up" && rt.state !== "hung") return;
      this.stop(i, "dumping");
      this.dump(i, rt.life);
    } else if (fx.op === "reset") {
      this.checks.destructiveExecuted(i, "hardware reset");
      if (rt.state === "off") return;
      this.stop(i, "down");
      this.boot(i, this.world.rng.int(1000, 3000));
    }
  }

  /**
   * The dump runs. The notifier (`ltd`) sends a DUMP-NOTICE every 500 ms until a DUMP-ACK, for as
   * long as the dump runs (docs/protocol.md §6, notifier rule 2); `kdump` (fence_kdump_send
   * `-c 0 -i 1`) every second until the reboot, never acknowledged. The dump takes 4–15 s from
   * its first notice (a real dump writes memory for tens of seconds or minutes; the old model's
   * 1–4 s let a dump end before a takeover's grace, docs/reliability.md), then the system reboots.
   */
  private dump(i: number, life: number): void {
    const rt = this.runtime[i]!;
    const rng = this.world.rng;
    const noticeAt = rng.int(100, 3000);
    const notifier = this.scenario.systems[i]!.notifier;
    if (notifier !== null) {
      rt.dumpAcked = false;
      const kdump = notifier === "kdump";
      const send = () => {
        if (rt.life !== life || (!kdump && rt.dumpAcked)) return;
        this.toVip(i, { type: "dumpNotice", system: i, kdump });
        this.world.schedule(kdump ? 1000 : 500, `${this.name(i)} dump notice`, send);
      };
      this.world.schedule(noticeAt, `${this.name(i)} dump notice`, send);
    }
    this.world.schedule(noticeAt + rng.int(4000, 15_000), `${this.name(i)} dump done, reboot`, () => {
      if (rt.life === life) this.boot(i, rng.int(1000, 3000));
    });
  }

  /** A DUMP-ACK reached the notifier. */
  dumpAcked(i: number): void {
    const rt = this.runtime[i];
    if (rt && rt.state === "dumping") rt.dumpAcked = true;
  }
}
