// One simulated run: draw the scenario from the seed, start the two connector nodes and the
// managed systems, play the fault schedule, then a quiet period (link healed, daemons running,
// no new faults) so every reset can finish, and check the end-of-run invariant.

import { createEngineState, type EngineEvent, transition } from "@haconn/core";
import { AckBook } from "./ack-book.js";
import { Adversary } from "./adversary.js";
import { Connectors } from "./connector.js";
import { runEffects, SIM_ENGINE_OPTIONS } from "./engine-port.js";
import { Invariants } from "./invariants.js";
import { ManagedWorld, type ToConnector } from "./managed.js";
import { datagram } from "./network.js";
import { drawScenario, type Scenario, type ScenarioOptions } from "./scenario.js";
import { type Violation, World } from "./world.js";

export interface RunOptions extends ScenarioOptions {
  /** Record every step (for replaying one seed), not only the last ones. */
  fullTrace?: boolean;
  traceSize?: number;
  /** Stop at the first violation (default true). */
  stopOnViolation?: boolean;
}

export interface RunResult {
  seed: number;
  violations: Violation[];
  /** The steps before the first violation (or the end). */
  trace: string[];
  steps: number;
  requests: number;
  /** Of `requests`, those sent with the FENCE flag. */
  fenceRequests: number;
  /** Datagrams the adversary sent. */
  forged: number;
  /** Stale registrations (or free slots) taken by the adversary's unsigned CHECKs, insecure mode. */
  insecureTakeovers: number;
  /** Changes the adversary then made through those registrations (same trade-off, counted). */
  takenSlotUses: number;
  scenario: Scenario;
}

function toEngineEvent(scenario: Scenario, msg: ToConnector, now: number): EngineEvent {
  const systems = scenario.systems;
  if (msg.type === "check") {
    const s = systems[msg.system]!;
    return {
      type: "check",
      now,
      from: { addr: s.addr, port: s.port },
      system: s.server,
      subsystem: s.subsystem,
      port: s.port,
      vmName: s.vmName,
      pairSubsystem: systems[s.peer]!.subsystem,
      // Key mode: the monitors sign their CHECKs (an unsigned one never reaches the engine).
      ...(scenario.adversary.keyMode ? { authenticated: true } : {}),
    };
  }
  if (msg.type === "reset") {
    const r = systems[msg.requester]!;
    const t = systems[msg.target]!;
    return {
      type: "reset",
      now,
      from: { addr: r.addr, port: r.port },
      requestId: msg.requestId,
      system: t.server,
      target: t.subsystem,
      requester: r.subsystem,
      ...(msg.fence && !scenario.bugs.fenceFlagIgnored ? { fence: true } : {}),
    };
  }
  const s = systems[msg.system]!;
  if (msg.kdump)
    return { type: "dumpNotice", now, from: { addr: s.addr, port: 40_000 + msg.system }, subsystem: null };
  return { type: "dumpNotice", now, from: { addr: s.addr, port: 7410 }, subsystem: s.subsystem };
}

export function runSeed(seed: number, opts: RunOptions = {}): RunResult {
  const scenario = drawScenario(seed, opts);
  const world = new World(seed, { traceSize: opts.traceSize ?? 40, fullTrace: opts.fullTrace ?? false });
  const names = scenario.systems.map((s) => s.name);
  const checks = new Invariants(
    world,
    (i) => scenario.systems[i]!.peer,
    (i) => names[i] ?? `#${i}`,
  );
  let connectors: Connectors | undefined;
  const toVip = (from: number, msg: ToConnector) => {
    const label = `${names[from]} → VIP ${msg.type}${msg.type === "reset" ? ` #${msg.requestId}${msg.fence ? " FENCE" : ""} of ${names[msg.target]}` : ""}`;
    datagram(world, scenario.resetPath, label, () => {
      const c = connectors!;
      const node = c.vipNode();
      if (node) {
        // The daemon acknowledges every copy of a DUMP notice it processed (with its other answers).
        const ack =
          msg.type === "dumpNotice" && !msg.kdump
            ? () =>
                datagram(world, scenario.resetPath, `${node.name} DUMP-ACK to ${names[from]}`, () =>
                  managed.dumpAcked(from),
                )
            : undefined;
        c.dispatch(node, toEngineEvent(scenario, msg, world.now), ack);
      }
      if (scenario.bugs.standbyAnswers && msg.type === "reset") {
        // Injected bug: a standby that answers too, from its mirror, with no arbitration between nodes.
        const stray = c.nodes.find((n) => n.alive && !n.engine && n.ha.role === "standby");
        if (stray) {
          const shadow = createEngineState(scenario.config, SIM_ENGINE_OPTIONS, stray.mirror);
          const [, effects] = transition(shadow, toEngineEvent(scenario, msg, world.now));
          runEffects(c.hooks, { ...stray, engine: shadow }, effects, { timers: false, sync: false });
        }
      }
    });
  };
  const managed = new ManagedWorld(world, scenario, checks, toVip);
  const acks = new AckBook(() => world.now, scenario.bugs.ackKeysByAddress ?? false);
  connectors = new Connectors(world, scenario, managed, checks, acks);
  const c = connectors;
  const adversary = new Adversary(world, scenario, scenario.adversary, () => c, acks, checks);

  for (const f of scenario.faults) {
    const label =
      f.kind === "crash"
        ? `FAULT crash ${c.nodes[f.node]!.name} for ${f.downMs} ms`
        : f.kind === "cutLink"
          ? `FAULT duplex link cut for ${f.ms} ms`
          : `FAULT ${f.kind} ${names[f.system]}`;
    world.schedule(f.at, label, () => {
      if (f.kind === "hang") managed.hang(f.system);
      else if (f.kind === "split") managed.split(f.system, f.skewMs);
      else if (f.kind === "crash") c.crash(c.nodes[f.node]!, f.downMs);
      else c.cutLink(f.ms);
    });
  }
  world.schedule(scenario.faultMs, "quiet period: link healed, daemons restarted", () => {
    c.healLink();
    c.restartAll();
  });

  c.start();
  managed.start();
  adversary.start();
  const stop = opts.stopOnViolation ?? true;
  world.runUntil(scenario.faultMs + scenario.quietMs, () => checks.roles(c.roles()), stop);
  if (!stop || world.violations.length === 0) checks.atEnd();
  return {
    seed,
    violations: world.violations,
    trace: world.trace(),
    steps: world.steps,
    requests: checks.requests.size,
    fenceRequests: [...checks.requests.values()].filter((r) => r.fence).length,
    forged: adversary.sent,
    insecureTakeovers: checks.insecureTakeovers,
    takenSlotUses: checks.takenSlotUses,
    scenario,
  };
}
