// Decides, against what the connector is doing now, which changes of a reload are applied, and
// composes the configuration to run: the running one plus the applied changes (keepalived's
// compare/migrate, ARCHITECTURE example 7). Pure: the daemon gathers the facts (apply.ts).
import { type DeepReadonly, type HaconnConfig, type ResolvedConfig, validateConfig } from "@haconn/config";
import { type ConfigChange, classifyChanges } from "./classify.js";

/** What a reload must know about the running connector. */
export interface RuntimeFacts {
  /** Systems whose HA monitors are running (a CHECK lately), with what was seen, for the reason. */
  runningMonitors: ReadonlyMap<string, string>;
  /** Systems with a reset in progress: a job, a pending PDU restore, an operator PDU test. */
  resettingSystems: ReadonlySet<string>;
  /** PDU keys whose outlets a reset in progress (or a PDU test) is using. */
  busyPdus: ReadonlySet<string>;
}

export interface PlannedChange extends ConfigChange {
  applied: boolean;
  /** Why it was not applied. */
  refusal?: string;
}

export interface ReloadPlan {
  changes: PlannedChange[];
  /** The configuration to run from now on. */
  config: HaconnConfig;
  /** Every change is applied: `config` is the file's configuration. */
  complete: boolean;
}

type Config = DeepReadonly<HaconnConfig>;

/** The stored form of a resolved configuration (without digest and derived values), mutable. */
export function plainConfig(config: Config | ResolvedConfig): HaconnConfig {
  const {
    digest: _d,
    hardResetDelayMs: _h,
    kdumpPort: _k,
    resetPathInsecure: _i,
    ...rest
  } = config as ResolvedConfig;
  return structuredClone(rest) as HaconnConfig;
}

/** The manual's condition for category 2 (§5.7), as the refusal says it. */
export const STOP_MONITORS =
  "the HA monitors on the affected server must be stopped first: stop them, then run haconnact reload again";

function decide(change: ConfigChange, facts: RuntimeFacts): PlannedChange {
  const refuse = (refusal: string): PlannedChange => ({ ...change, applied: false, refusal });
  if (change.category === "restart") return refuse(change.reason ?? "needs a restart of both connectors");
  if (change.subject === "pserver" && change.operation !== "Add") {
    if (facts.resettingSystems.has(change.name))
      return refuse(`a reset of ${change.name} is in progress: run haconnact reload again once it is over`);
    const seen = facts.runningMonitors.get(change.name);
    if (change.category === 2 && seen !== undefined)
      return refuse(`the HA monitor on ${change.name} is running (${seen}): ${STOP_MONITORS}`);
  }
  // A new PDU is never busy; a deleted or re-registered one may be feeding a reset now.
  if (change.subject === "pdu" && facts.busyPdus.has(change.name)) {
    return refuse(`a reset in progress is using outlets of PDU ${change.name}`);
  }
  return { ...change, applied: true };
}

/** `next`'s items in its order, the running version where a change is not applied. */
function mergeList<T>(
  running: readonly T[],
  next: readonly T[],
  key: (t: T) => string,
  applied: (k: string) => boolean,
): T[] {
  const old = new Map(running.map((t) => [key(t), t]));
  const now = new Set(next.map(key));
  const out: T[] = [];
  for (const item of next) {
    const k = key(item);
    const before = old.get(k);
    if (before === undefined) {
      if (applied(k)) out.push(item);
    } else out.push(applied(k) ? item : before);
  }
  for (const item of running) if (!now.has(key(item)) && !applied(key(item))) out.push(item);
  return structuredClone(out);
}

function compose(running: Config, next: Config, changes: PlannedChange[]): HaconnConfig {
  const ok = (subject: ConfigChange["subject"]) => (name: string) =>
    !changes.some((c) => c.subject === subject && c.name === name && !c.applied);
  const base = plainConfig(running);
  return {
    ...base,
    mservers: mergeList(base.mservers, plainConfig(next).mservers, (m) => m.name, ok("mserver")),
    pservers: mergeList(base.pservers, plainConfig(next).pservers, (p) => p.name, ok("pserver")),
    pdus: mergeList(base.pdus, plainConfig(next).pdus, (p) => p.key, ok("pdu")),
  };
}

/** The changes between `running` and `next`, each applied or refused, and the config to run. */
export function planReload(running: Config, next: Config, facts: RuntimeFacts): ReloadPlan {
  const changes = classifyChanges(running, next).map((c) => decide(c, facts));
  // A PDU whose deletion is applied must no longer feed a server that kept its old links.
  for (;;) {
    const merged = compose(running, next, changes);
    const linked = new Map<string, string>();
    for (const s of [...merged.mservers, ...merged.pservers])
      for (const o of s.outlets) linked.set(o.pdu, s.name);
    const orphan = changes.find(
      (c) => c.subject === "pdu" && c.applied && c.operation === "Delete" && linked.has(c.name),
    );
    if (!orphan) break;
    orphan.applied = false;
    orphan.refusal = `PDU ${orphan.name} still feeds ${linked.get(orphan.name)}, whose change was not applied`;
  }
  const complete = changes.every((c) => c.applied);
  if (complete) return { changes, config: plainConfig(next), complete };
  const config = compose(running, next, changes);
  const check = validateConfig(config);
  if (!check.ok) {
    const issue = check.issues[0]!;
    const refusal =
      `the changes that could be applied do not form a valid configuration alone ` +
      `(${issue.path}: ${issue.message}): nothing was applied`;
    return {
      changes: changes.map((c) => (c.applied ? { ...c, applied: false, refusal } : c)),
      config: plainConfig(running),
      complete: false,
    };
  }
  return { changes, config, complete };
}
