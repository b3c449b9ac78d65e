// A rehearsal of the reset path on a scratch state: the engine code a RESET runs is compiled and
// has seen its objects before the first real RESET (issue 19).
//
// Why: V8 compiles a function when it first runs and starts it in its interpreter. A RESET storm
// after hours of CHECKs only is the first time the daemon runs the reset code (the job, the
// recent-request index, reset-log formatting, ATTENTION): the first RESETs paid for compiling it
// and ran it slowly, ~4 ms of the storm's first 20 ms in a `perf` profile. The rehearsal runs
// whole reset lifecycles (RESET → NMI → hardware reset → result; RESET → NMI → dump notice →
// ATTENTION) through the pure `transition` on a state of its own, with invented addresses, and
// hands every effect to `onEffect` (the daemon encodes the datagrams it would send, which warms
// the codec and the HMAC, and sends nothing). Nothing here touches a device, a socket, a file or
// the live state; a configuration without two systems to play requester and target rehearses
// nothing.

import type { ResolvedConfig } from "@haconn/config";
import { createEngineState, transition } from "./engine.js";
import type { Effect, EngineEvent, EngineState } from "./types.js";

export interface RehearsalOptions {
  /** Lifecycles per path (hardware reset, dump notice), default 8. */
  rounds?: number;
  /** Every effect the rehearsal's steps produced (never carried out). */
  onEffect?: (effect: Effect) => void;
  /** A time to start from (default 0; the scratch state has its own clock). */
  now?: number;
}

interface Player {
  system: string;
  subsystem: number;
  vmName: string | null;
  addr: string;
}

/** The cluster port of the rehearsal's invented monitors (a scratch state: any number does). */
const PORT = 20001;

/** Target and requester from the configuration: a physical server and a guest, or two of either. */
function cast(config: ResolvedConfig): { target: Player; requester: Player }[] {
  const physical = config.pservers.filter((s) => s.vserver === null).map((s) => s.name);
  const virtual = config.pservers.filter((s) => s.vserver !== null).map((s) => s.name);
  const players: Player[] = [];
  const add = (system: string, vmName: string | null) =>
    players.push({
      system,
      subsystem: 60001 + players.length,
      vmName,
      addr: `127.255.0.${players.length + 1}`,
    });
  for (const name of physical.slice(0, 2)) add(name, null);
  if (virtual[0]) {
    add(virtual[0], "haconn-rehearsal-a");
    add(virtual[0], "haconn-rehearsal-b");
  }
  if (players.length < 2) return [];
  // Every player is reset once, by the next one.
  return players.map((target, i) => ({ target, requester: players[(i + 1) % players.length]! }));
}

/** Runs one event and every consequence (device answers at once, timers when nothing else is left). */
function play(
  state: EngineState,
  first: EngineEvent,
  onEffect: (e: Effect) => void,
  fireTimers = true,
): [EngineState, number] {
  const timers = new Map<string, number>();
  const queue: EngineEvent[] = [first];
  let now = first.now;
  let steps = 0;
  for (; steps < 200; steps++) {
    let ev = queue.shift();
    if (!ev) {
      // Only timers left: fire the earliest while a job runs (polls and retries are not followed).
      if (!fireTimers || Object.keys(state.shared.jobs).length === 0) break;
      const due = [...timers].sort((a, b) => a[1] - b[1])[0];
      if (!due) break;
      timers.delete(due[0]);
      now = Math.max(now, due[1]);
      ev = { type: "timer", id: due[0], now };
    }
    const [next, effects] = transition(state, ev);
    state = next;
    for (const e of effects) {
      onEffect(e);
      if (e.kind === "setTimer") timers.set(e.id, e.at);
      else if (e.kind === "clearTimer") timers.delete(e.id);
      else if (e.kind === "device" && e.op !== "status") {
        queue.push({ type: "deviceResult", now, device: e.device, op: e.op, tag: e.tag, ok: true });
      }
    }
  }
  return [state, steps];
}

/** Rehearses `rounds` reset lifecycles per path; returns the number of engine steps run (0: nothing to play). */
export function rehearseResets(config: ResolvedConfig, options: RehearsalOptions = {}): number {
  const roles = cast(config);
  const onEffect = options.onEffect ?? (() => undefined);
  const rounds = options.rounds ?? 8;
  let total = 0;
  for (let round = 0; round < rounds; round++) {
    for (const [i, { target, requester }] of roles.entries()) {
      let now = (options.now ?? 0) + round * 100_000 + i * 10_000;
      let state = createEngineState(config, { firstPollDelayMs: 3_600_000 });
      for (const p of [target, requester]) {
        let effects: Effect[];
        [state, effects] = transition(state, {
          type: "check",
          now,
          from: { addr: p.addr, port: PORT },
          system: p.system,
          subsystem: p.subsystem,
          port: PORT,
          vmName: p.vmName,
          pairSubsystem: null,
        });
        for (const e of effects) onEffect(e);
      }
      now += 1;
      const reset: EngineEvent = {
        type: "reset",
        now,
        from: { addr: requester.addr, port: PORT },
        requestId: round + 1,
        system: target.system,
        target: target.subsystem,
        requester: requester.subsystem,
        clusterPort: PORT,
      };
      // Odd rounds: the target's dump notice comes during the NMI phase (ATTENTION DUMP).
      if (round % 2 === 1) {
        let steps: number;
        [state, steps] = play(state, reset, onEffect, false);
        total += steps;
        const notice: EngineEvent = {
          type: "dumpNotice",
          now: now + 5,
          from: { addr: target.addr, port: 7410 },
          subsystem: target.subsystem,
        };
        [state, steps] = play(state, notice, onEffect);
        total += steps;
      } else {
        const [, steps] = play(state, reset, onEffect);
        total += steps;
      }
    }
  }
  return total;
}
