// Fills a drill's timeline from every party's own records: the connector's reset log, the
// simulated BMC's action log, the PDU's outlet transitions, the ESXi host's power actions and
// what the HA monitors received.
import type { DrillContext } from "./drill-context.js";
import type { ResetLogEntry } from "./resetlog.js";
import type { Phase } from "./timeline.js";
import { type LabSystem, labSystem } from "./topology.js";

export function connectorPhase(e: ResetLogEntry): Phase {
  switch (e.type) {
    case "RM-RESET":
      return e.dir === "RECV" ? "request" : "result";
    case "SOFTRESET":
      return "NMI";
    case "HARDRESET":
      return "hardware reset";
    case "ATTENTION":
      return e.dir === "RECV" ? "dump notice" : "ATTENTION";
    case "IPDUSD":
      return e.rest.at(-1) === "ON" ? "PDU restore" : "PDU cut";
  }
}

export function connectorText(e: ResetLogEntry): string {
  const [ip, port, req] = e.rest;
  switch (e.type) {
    case "RM-RESET":
      return e.dir === "RECV"
        ? `RM-RESET RECV from ${ip}:${port} (requester ${req})`
        : `RM-RESET SEND ${e.rest.at(-1)} to ${ip}:${port}`;
    case "ATTENTION":
      return e.dir === "RECV"
        ? `ATTENTION RECV ${e.rest.at(-1)}: the system's dump notice from ${ip}:${port}`
        : `ATTENTION SEND ${e.rest.at(-1)}${ip === "----" ? " (no recipient)" : ` to ${ip}:${port}`}`;
    case "IPDUSD":
      return `IPDUSD ${e.dir} outlet ${e.rest.at(-2)} ${e.rest.at(-1)} (${e.rest.at(-3)})`;
    default:
      return `${e.type} ${e.dir}`;
  }
}

/** The connector's reset-log lines about `target` since `since`. */
export function addConnectorEvents(ctx: DrillContext, since: number, target: LabSystem): void {
  for (const e of ctx.resetlog(since, target.system)) {
    if (e.target !== String(target.subsystem)) continue;
    ctx.timeline.add(e.at, connectorPhase(e), "connector", connectorText(e));
  }
}

/** What a simulated BMC carried out since `since` (until `until`, when given). */
export function addBmcEvents(ctx: DrillContext, name: string, since: number, until = Infinity): void {
  for (const a of ctx.bmc(name).actions(since)) {
    if (a.atMs > until) continue;
    ctx.timeline.add(a.atMs, bmcPhase(a.action), `BMC ${name}`, `chassis ${a.action} carried out`);
  }
}

/** The timeline phase of a BMC's chassis action. */
export function bmcPhase(action: string): Phase {
  return action === "nmi"
    ? "NMI"
    : action === "reset"
      ? "hardware reset"
      : action === "off"
        ? "power off"
        : "power on";
}

export function addPduEvents(ctx: DrillContext, since: number): void {
  for (const t of ctx.pdu(since))
    ctx.timeline.add(
      t.at,
      t.to === "off" ? "PDU cut" : "PDU restore",
      "PDU",
      `outlet ${t.outlet} ${t.from} -> ${t.to}`,
    );
}

export function addEsxiEvents(ctx: DrillContext, since: number, vm: string): void {
  for (const e of ctx.esxi(since)) {
    if (e.name !== vm) continue;
    const phase: Phase = e.action === "nmi" ? "NMI" : e.action === "reset" ? "hardware reset" : "power off";
    ctx.timeline.add(e.at, phase, "ESXi", `${vm}: ${e.action} carried out`);
  }
}

/** RESETs the drill's monitors sent for `target`, the ATTENTIONs and RESET-RESULTs they received. */
export function addMonitorEvents(ctx: DrillContext, since: number, target: number): void {
  for (const s of ctx.monitors.sent) {
    if (s.at >= since && s.target === target)
      ctx.timeline.add(
        s.at,
        "request",
        `hamon ${s.requester}`,
        `RESET ${labSystem(target).system} (${target}) sent`,
      );
  }
  for (const r of ctx.monitors.received) {
    if (r.at < since) continue;
    if (r.attention?.targetSubsystem === target)
      ctx.timeline.add(r.at, "ATTENTION", `hamon ${r.subsystem}`, `ATTENTION ${r.attention.state} received`);
    if (r.result?.targetSubsystem === target)
      ctx.timeline.add(r.at, "result", `hamon ${r.subsystem}`, `RESET-RESULT ${r.result.result} received`);
  }
}

/** Everything about a reset of `target` (BMC of its server for a physical system). */
export function addResetEvents(ctx: DrillContext, since: number, target: LabSystem, until = Infinity): void {
  addConnectorEvents(ctx, since, target);
  if (!target.vm) addBmcEvents(ctx, target.system, since, until);
  else addEsxiEvents(ctx, since, target.vm);
  addMonitorEvents(ctx, since, target.subsystem);
}
