// The simulator's executor for the reset engine: runs `transition` of @haconn/core and carries
// its effects out in the simulated world (device commands on simulated devices, timers on the
// scheduler, datagrams on the lossy reset path, deltas to the peer). It plays the part of
// core's EngineRunner without promises, so a run is a plain loop over scheduled events.

import {
  createEngineState,
  type Effect,
  type EngineEvent,
  type EngineOptions,
  type EngineState,
  type SharedState,
  transition,
  type VersionedDelta,
} from "@haconn/core";
import type { AckBook } from "./ack-book.js";
import { judgeTransition } from "./forgery-check.js";
import type { Invariants } from "./invariants.js";
import type { ManagedWorld, ToMonitor } from "./managed.js";
import { datagram } from "./network.js";
import type { Scenario } from "./scenario.js";
import type { World } from "./world.js";

/** Shorter than production where the manual allows it, so a run of a few seconds sees whole resets. */
export const SIM_ENGINE_OPTIONS: Partial<EngineOptions> = {
  pollIntervalMs: 1000,
  guestHardResetDelayMs: 2000,
  hardResetAckTimeoutMs: 3000,
  hardResetRetryMs: 500,
  deviceCallTimeoutMs: 2000,
  returnToNormalGuardMs: 2000,
  logTimeZone: "utc",
};

/** What the executor needs of a node. */
export interface EngineHost {
  name: string;
  alive: boolean;
  engine: EngineState | null;
  epoch: number;
  timers: Map<string, number>;
  timerGen: number;
  /** Acked replication: device commands and sends held until the standby has the state they follow. */
  held: { version: number; effects: Effect[]; then?: ((replicated: boolean) => void) | undefined }[];
}

export interface EngineRunHooks {
  world: World;
  scenario: Scenario;
  managed: ManagedWorld;
  checks: Invariants;
  /** The reset path's repeat series and their cancel keys (forged ACKs are judged against it). */
  acks: AckBook;
  create(shared: SharedState): EngineState;
  sendDeltas(node: never, deltas: VersionedDelta[]): void;
  /** A synchronised standby is there: act only once it has acknowledged the state. */
  mustWait(node: never): boolean;
}

export function engineHooks(
  world: World,
  scenario: Scenario,
  managed: ManagedWorld,
  checks: Invariants,
  acks: AckBook,
  sendDeltas: (node: never, deltas: VersionedDelta[]) => void,
  mustWait: (node: never) => boolean,
): EngineRunHooks {
  return {
    world,
    scenario,
    managed,
    checks,
    acks,
    create: (shared) => createEngineState(scenario.config, SIM_ENGINE_OPTIONS, shared),
    sendDeltas,
    mustWait,
  };
}

function jobIdentity(state: EngineState, key: string, id: number): string {
  const job = state.shared.jobs[key];
  return `${key}#${id}#${job && job.id === id ? job.startedAt : "?"}`;
}

/**
 * Runs one event through the node's engine and carries its effects out. `then` runs when the
 * effects are carried out (the daemon's own answers go with them); it is told whether a standby
 * acknowledged the state they follow. A DUMP-ACK (`ack`) goes only then: while the active serves
 * alone it acknowledges no DUMP notice, so the notifier keeps repeating it and a standby that
 * fences this node and takes over still hears it (docs/reliability.md F1). `--async` acknowledges
 * at once, as before.
 */
export function runEngine(
  hooks: EngineRunHooks,
  node: EngineHost,
  event: EngineEvent,
  ack?: () => void,
  /** The event comes from the adversary (a forged datagram). */
  forged = false,
): void {
  if (!node.alive || !node.engine) return;
  const before = node.engine;
  const [after, effects] = transition(before, event);
  node.engine = after;
  if (forged || event.type === "dumpNotice")
    judgeTransition(hooks.scenario, hooks.checks, node.name, before, after, event, effects, forged);
  const acked = hooks.scenario.replication === "acked";
  let then: ((replicated: boolean) => void) | undefined;
  if (event.type === "dumpNotice" && effects.length > 0) {
    // (A notice that changed nothing — refused, or a repeat — is not held behind replication.)
    // The DUMP notice counts as received once its transition is carried out (answers sent).
    const ended = Object.entries(before.shared.jobs)
      .filter(([key, job]) => after.shared.jobs[key]?.id !== job.id)
      .map(([key, job]) => `${key}#${job.id}#${job.startedAt}`);
    // The notifier stops only on DUMP-ACK `accepted` (notifier rule 2, docs/protocol.md §6): a
    // `recorded` / `unknown` answer (no reset of it in its software-reset phase here, yet) does
    // not stop it, so the reset that comes next still hears it.
    then = (replicated) => {
      // A forged notice (insecure mode, from a registration the adversary took: forgery-check.ts)
      // is no dump: the system keeps running, and a later hardware reset of it is no violation.
      if (!forged) for (const job of ended) hooks.checks.jobDumped(job);
      if (ended.length > 0 && (replicated || !acked)) ack?.();
    };
  }
  const external = (fx: Effect) => fx.kind === "device" || fx.kind.startsWith("send");
  if (acked && (node.held.length > 0 || hooks.mustWait(node as never)) && (then || effects.some(external))) {
    // Replicate before acting: the deltas go now, the commands and answers once acknowledged.
    runEffects(
      hooks,
      node,
      effects.filter((fx) => !external(fx)),
      { timers: true, sync: true },
    );
    node.held.push({ version: after.shared.version, effects: effects.filter(external), then });
    return;
  }
  runEffects(hooks, node, effects, { timers: true, sync: true });
  then?.(false);
}

/** Carries out held effects up to `version` (the standby's acknowledgement; Infinity: alone). */
export function releaseHeld(hooks: EngineRunHooks, node: EngineHost, version: number): void {
  while (node.held.length > 0 && node.held[0]!.version <= version) {
    const batch = node.held.shift()!;
    runEffects(hooks, node, batch.effects, { timers: true, sync: true });
    batch.then?.(version !== Number.POSITIVE_INFINITY);
  }
}

/** `shadow`: a stray engine (injected bug) acts on devices and the reset path only. */
export function runEffects(
  hooks: EngineRunHooks,
  node: EngineHost,
  effects: readonly Effect[],
  scope: { timers: boolean; sync: boolean },
): void {
  const { world, managed, checks } = hooks;
  const epoch = node.epoch;
  const state = node.engine;
  for (const fx of effects) {
    switch (fx.kind) {
      case "device": {
        const system = managed.systemOf(fx.device);
        const label = `${node.name} ${fx.op} ${fx.device.type === "outlet" ? `${fx.device.pdu}#${fx.device.outlet}` : fx.device.type === "guest" ? `${fx.device.system}/${fx.device.vmName}` : fx.device.system}`;
        if (fx.op === "nmi" || fx.op === "reset" || fx.op === "off") {
          world.note(`${label} issued`);
          const job = fx.tag.for === "job" && state ? jobIdentity(state, fx.tag.key, fx.tag.jobId) : null;
          checks.destructiveIssued(system, fx.op, node.name, job);
        }
        managed.call(fx, label, (answer) => {
          if (!scope.timers || node.epoch !== epoch || !node.alive) return;
          const base = {
            type: "deviceResult",
            now: world.now,
            device: fx.device,
            op: fx.op,
            tag: fx.tag,
          } as const;
          runEngine(
            hooks,
            node,
            answer.ok
              ? { ...base, ok: true, ...(answer.power ? { power: answer.power } : {}) }
              : { ...base, ok: false, code: answer.code ?? "DEVICE_TIMEOUT", message: "timeout" },
          );
        });
        break;
      }
      case "setTimer": {
        if (!scope.timers) break;
        const gen = ++node.timerGen;
        node.timers.set(fx.id, gen);
        world.schedule(Math.ceil(fx.at - world.now), `${node.name} timer ${fx.id}`, () => {
          if (node.epoch !== epoch || node.timers.get(fx.id) !== gen) return;
          node.timers.delete(fx.id);
          runEngine(hooks, node, { type: "timer", now: world.now, id: fx.id });
        });
        break;
      }
      case "clearTimer":
        if (scope.timers) node.timers.delete(fx.id);
        break;
      case "stateChanged":
        if (scope.sync) hooks.sendDeltas(node as never, fx.deltas);
        break;
      case "sendAccepted": {
        const record = checks.requests.get(fx.requestId);
        if (record) record.accepted = true;
        toMonitor(hooks, fx.to.addr, `${node.name} accepted #${fx.requestId}`, {
          type: "accepted",
          requestId: fx.requestId,
        });
        break;
      }
      case "sendResult":
        hooks.acks.result(node.name, fx.to, fx.requester ?? 0, fx.requestId);
        toMonitor(
          hooks,
          fx.to.addr,
          `${node.name} result #${fx.requestId} ${fx.result}${fx.resend ? " (resend)" : ""}`,
          {
            type: "result",
            requestId: fx.requestId,
            result: fx.result,
          },
        );
        break;
      case "sendAttention":
        for (const to of fx.recipients) hooks.acks.attention(node.name, to, to.subsystem ?? 0, fx.eventId);
        world.note(`${node.name} ATTENTION ${fx.state} ${fx.system}/${fx.target}`);
        break;
      default:
        break;
    }
  }
}

function toMonitor(hooks: EngineRunHooks, addr: string, label: string, msg: ToMonitor): void {
  const i = hooks.managed.byAddr(addr);
  if (i < 0) return;
  datagram(hooks.world, hooks.scenario.resetPath, label, () => hooks.managed.deliver(i, msg));
}
