// The adversary's invariants, judged on one engine transition (engine-port.ts):
//   forged-dump: every ATTENTION DUMP follows a genuine DUMP notice — sent by the system's own
//     notifier, from its address — for a system whose reset was in its software-reset phase;
//   unauthenticated-cancel: a forged datagram changes no job (no hardware reset skipped, no
//     result decided, nothing ended), sends no result or ATTENTION, and moves no registration to
//     an address that is not the system's — with one exception, judged apart: without a key
//     (insecure mode) an unsigned CHECK may take a registration that is stale (its monitor
//     missed 3 CHECK periods) or a free slot. That is the documented trade-off of running
//     without a key (docs/security.md); it is counted (`insecureTakeovers`), never hidden, and
//     in key mode it is a violation like any other move.

import { type Effect, type EngineEvent, type EngineState, isStale } from "@haconn/core";
import type { Invariants } from "./invariants.js";
import type { Scenario } from "./scenario.js";

export function judgeTransition(
  scenario: Scenario,
  checks: Invariants,
  node: string,
  before: EngineState,
  after: EngineState,
  event: EngineEvent,
  effects: readonly Effect[],
  forged: boolean,
): void {
  const what = forged ? `forged ${event.type}` : event.type;
  // Registrations the adversary took without a key (see above) and now speaks for: what its
  // datagrams from that address do to them is the same trade-off, counted with it.
  const taken = new Set<string>();
  if (forged && !scenario.adversary.keyMode && "from" in event) {
    for (const m of Object.values(before.shared.monitors)) {
      const sys = scenario.systems.find((s) => s.port === m.port && s.subsystem === m.subsystem);
      if (m.addr === event.from.addr && m.addr !== sys?.addr) taken.add(m.key);
    }
  }
  const tradeOff = (key: string | undefined, message: string, violate: (m: string) => void) => {
    if (key !== undefined && taken.has(key))
      checks.takenSlotUsed(
        `${message} (from the address holding ${key})`,
        scenario.systems.findIndex((s) => `${s.port}/${s.subsystem}` === key),
      );
    else violate(message);
  };
  for (const fx of effects) {
    if (fx.kind !== "sendAttention" || fx.state !== "DUMP") continue;
    const sys = scenario.systems.find((s) => s.server === fx.system && s.subsystem === fx.target);
    const job = Object.values(before.shared.jobs).find(
      (j) => j.system === fx.system && j.subsystem === fx.target,
    );
    const genuine =
      !forged && event.type === "dumpNotice" && sys !== undefined && event.from.addr === sys.addr;
    if (!genuine || job?.phase !== "soft")
      tradeOff(
        job?.key,
        `${node}: ATTENTION DUMP for ${fx.system}/${fx.target} after ${what}${job ? ` (job ${job.phase})` : " (no reset)"}`,
        (m) => checks.forgedDump(m),
      );
  }
  if (!forged) return;
  const said = effects.find(
    (fx) => fx.kind === "sendResult" || fx.kind === "sendAttention" || fx.kind === "device",
  );
  // What a datagram from a taken slot's address says concerns that slot (the engine matches by it).
  if (said)
    tradeOff(taken.values().next().value, `${node}: ${what} caused ${said.kind}`, (m) =>
      checks.unauthenticatedCancel(m),
    );
  const keys = new Set([...Object.keys(before.shared.jobs), ...Object.keys(after.shared.jobs)]);
  for (const key of keys) {
    if (before.shared.jobs[key] !== after.shared.jobs[key])
      tradeOff(key, `${node}: ${what} changed the reset job of ${key}`, (m) =>
        checks.unauthenticatedCancel(m),
      );
  }
  for (const [key, record] of Object.entries(after.shared.monitors)) {
    const old = before.shared.monitors[key];
    if (old === record) continue;
    const sys = scenario.systems.find((s) => s.port === record.port && s.subsystem === record.subsystem);
    // (The adversary refreshing a slot it already took is no new move: judged when it took it.)
    if (record.addr !== (sys?.addr ?? null) && old?.addr !== record.addr) {
      const moved = `${node}: ${what} moved the registration of ${key} to ${record.addr}`;
      // A free slot: no registration, or the placeholder a RESET made for a target never registered.
      const free = !old || old.addr === null;
      const stale = free || isStale({ now: event.now, options: before.options }, old);
      if (!scenario.adversary.keyMode && event.type === "check" && stale)
        checks.insecureTakeover(
          `${moved} (${free ? "free slot" : "stale"}; no key: the documented trade-off)`,
        );
      else if (scenario.adversary.keyMode) checks.unauthenticatedCancel(`${moved} in key mode`);
      else checks.unauthenticatedCancel(`${moved} (a live registration)`);
    } else if (old && old.status !== record.status)
      tradeOff(key, `${node}: ${what} changed the status of ${key} to ${record.status}`, (m) =>
        checks.unauthenticatedCancel(m),
      );
  }
}
