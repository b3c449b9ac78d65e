// The adversary's invariants, judged on one engine transition (engine-port.ts):
//   forged-dump: every ATTENTION DUMP follows a genuine DUMP notice — sent by the system's own
//     notifier, from its address — for a system whose reset was in its software-reset phase;
//   unauthenticated-cancel: a forged datagram changes no job (no hardware reset skipped, no
//     result decided, nothing ended), sends no result or ATTENTION, and moves no registration to
//     an address that is not the system's.

import type { Effect, EngineEvent, EngineState } from "@haconn/core";
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
  for (const fx of effects) {
    if (fx.kind !== "sendAttention" || fx.state !== "DUMP") continue;
    const sys = scenario.systems.find((s) => s.server === fx.system && s.subsystem === fx.target);
    const job = Object.values(before.shared.jobs).find(
      (j) => j.system === fx.system && j.subsystem === fx.target,
    );
    const genuine =
      !forged && event.type === "dumpNotice" && sys !== undefined && event.from.addr === sys.addr;
    if (!genuine || job?.phase !== "soft")
      checks.forgedDump(
        `${node}: ATTENTION DUMP for ${fx.system}/${fx.target} after ${what}${job ? ` (job ${job.phase})` : " (no reset)"}`,
      );
  }
  if (!forged) return;
  const said = effects.find(
    (fx) => fx.kind === "sendResult" || fx.kind === "sendAttention" || fx.kind === "device",
  );
  if (said) checks.unauthenticatedCancel(`${node}: ${what} caused ${said.kind}`);
  const keys = new Set([...Object.keys(before.shared.jobs), ...Object.keys(after.shared.jobs)]);
  for (const key of keys) {
    if (before.shared.jobs[key] !== after.shared.jobs[key])
      checks.unauthenticatedCancel(`${node}: ${what} changed the reset job of ${key}`);
  }
  for (const [key, record] of Object.entries(after.shared.monitors)) {
    const old = before.shared.monitors[key];
    if (old === record) continue;
    const sys = scenario.systems.find((s) => s.port === record.port && s.subsystem === record.subsystem);
    if (record.addr !== (sys?.addr ?? null))
      checks.unauthenticatedCancel(`${node}: ${what} moved the registration of ${key} to ${record.addr}`);
    else if (old && old.status !== record.status)
      checks.unauthenticatedCancel(`${node}: ${what} changed the status of ${key} to ${record.status}`);
  }
}
