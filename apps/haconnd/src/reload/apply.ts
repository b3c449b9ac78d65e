// haconnact reload on the active (manual §5.7, §6.8, §8.5): re-read haconn.json, classify every
// change against the running configuration, apply what the running connector may take, then —
// only when everything was applied — copy the file to the standby and restart it. The summary
// says "completed." only when both happened; otherwise the two nodes are not synchronised.
import { ConfigStore, resolveConfig } from "@haconn/config";
import type { ConfigReloader } from "../ops-host.js";
import { copyToStandby } from "./copy.js";
import { type PlannedChange, planReload, type RuntimeFacts } from "./plan.js";
import { buildSummary, type ReloadSummary, type StandbyOutcome } from "./summary.js";

/** What the active is doing now that a change must not disturb. */
export function runtimeFacts(d: ConfigReloader): RuntimeFacts {
  const { shared, local, options } = d.engine.state;
  const now = d.clock.now();
  const runningMonitors = new Map<string, string>();
  // A stopped HA monitor sends no CHECK; the registry keeps its record. It counts as running while
  // its last CHECK is more recent than the window after which the registry may replace it.
  for (const m of Object.values(shared.monitors)) {
    if (m.addr === null || now - m.lastSeen >= options.staleRegistrationMs) continue;
    const ago = Math.max(0, Math.round((now - m.lastSeen) / 1000));
    const seen = `subsystem ${m.subsystem}, last CHECK ${ago} s ago`;
    const before = runningMonitors.get(m.system);
    runningMonitors.set(m.system, before ? `${before}; ${seen}` : seen);
  }
  const resettingSystems = new Set<string>();
  const busyPdus = new Set<string>();
  for (const job of Object.values(shared.jobs)) {
    resettingSystems.add(job.system);
    for (const o of [...(job.cut?.pending ?? []), ...(job.cut?.done ?? []), ...(job.cut?.failed ?? [])])
      busyPdus.add(o.pdu);
  }
  for (const r of Object.values(shared.restores)) {
    resettingSystems.add(r.system);
    for (const o of r.outlets) busyPdus.add(o.pdu);
  }
  for (const t of Object.values(local.tests)) {
    resettingSystems.add(t.system);
    for (const o of t.outlets) busyPdus.add(o.pdu);
  }
  return { runningMonitors, resettingSystems, busyPdus };
}

export interface ReloadOutcome {
  message: string;
  summary: ReloadSummary;
}

function logChange(d: ConfigReloader, c: PlannedChange): void {
  const fields = {
    subject: c.subject,
    name: c.name,
    operation: c.operation,
    category: c.category,
    fields: c.fields,
  };
  if (c.applied) d.logs.event.info(fields, "reload: change applied");
  else d.logs.event.warn({ ...fields, reason: c.refusal }, "reload: change not applied");
}

/** The whole reload. Throws (nothing changed) when the file cannot be read or is invalid. */
export async function reloadConfig(d: ConfigReloader): Promise<ReloadOutcome> {
  const file = await new ConfigStore(d.options.etcDir).read();
  const next = resolveConfig(file);
  const before = d.config;
  const plan = planReload(before, next, runtimeFacts(d));
  const run = plan.complete ? next : resolveConfig(plan.config);
  const localChanged = run.digest !== before.digest;
  if (localChanged) d.applyConfig(run);
  for (const c of plan.changes) logChange(d, c);
  let standby: StandbyOutcome;
  if (plan.complete) standby = await copyToStandby(d, file, true);
  else {
    standby = {
      ok: false,
      name: d.pair?.state.peerName ?? null,
      why: "not every change was applied, so the standby keeps its configuration",
    };
  }
  const summary = buildSummary({
    changes: plan.changes,
    mservers: before.mservers.map((m) => m.name),
    self: d.options.nodeName,
    localChanged,
    standby,
  });
  const verdict = summary.completed ? "completed" : "failed";
  (summary.completed ? d.logs.event.info : d.logs.event.warn).call(
    d.logs.event,
    { digest: d.config.digest, changes: plan.changes.length, notes: summary.notes },
    `haconnact reload ${verdict}`,
  );
  return { message: `HA monitor connector reload : ${verdict}.`, summary };
}
