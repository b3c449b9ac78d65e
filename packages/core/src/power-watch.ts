// Power and link watch: every `pollIntervalMs` the engine asks the executor for the power
// state of each managed server (BMC), each registered guest (ESXi) and each configured PDU
// outlet, one poll in flight per device. A registered system seen going from on to off with no
// reset in progress is announced (ATTENTION POFF) and shown `poff`. Servers with a job are not
// polled through their BMC while the job runs (no contention with the reset commands).
//
// A round is spread over its interval: at most POLL_BATCH units per engine step (a unit is a
// BMC, an outlet, or all registered guests of one ESXi host, which its driver answers with one
// command), the slices evenly spaced over POLL_SPREAD of the interval (at the manual's maxima,
// 32 BMCs + 16 hosts' 240 guests + 128 outlets = 176 units: 22 slices 180 ms apart instead of
// one ~80 ms stall of the event loop every 5 s, which delayed CHECK answers and RESETs behind
// it; issue 19). The round's units are computed once, at its start, from the configuration and
// the registrations in a fixed order (local state `pollRound`, recomputed when the configuration
// changes); each slice takes its share and skips a guest whose registration is gone since. Recomputing them at every
// slice walked the whole configuration and registry 22 times a round and was the largest part
// of a slice's main-thread stretch (CPU profile of the daemon bench `--slices`, issue 19
// point 2). A registration that comes mid-round is polled from the next round. A poll result
// finds its guest's record by the registration key in its tag, not by a walk of the registry.

import { sendAttention } from "./attention.js";
import { isVirtual, patchServer, serverRuntime } from "./status.js";
import type { Tx } from "./tx.js";
import type { EngineEvent, MonitorRecord, PollTarget, PollUnit } from "./types.js";

type DeviceResult = Extract<EngineEvent, { type: "deviceResult" }>;

export const POLL_TIMER_ID = "poll";
/** Timer of the round's slice k (k ≥ 1): `poll-slice:<k>`. */
export const POLL_SLICE_TIMER_PREFIX = "poll-slice:";
/** Units (a device, or one ESXi host's guests) polled per engine step at most. */
export const POLL_BATCH = 8;
/** Share of the interval the slices of one round are spread over. */
export const POLL_SPREAD = 0.8;

function busy(tx: Tx, system: string, vmName: string | null): boolean {
  return Object.values(tx.shared.jobs).some(
    (j) => j.system === system && (vmName === null || j.vmName === vmName),
  );
}

/**
 * Every device of a round in a fixed order, as units: a BMC, the registered guests of one ESXi
 * host together (its driver asks them in one command when they are asked in the same step:
 * one exec per host per round), an outlet (deduplicated); the kinds interleaved.
 */
function roundUnits(tx: Tx): PollUnit[] {
  const bmcs: PollTarget[][] = [];
  const hosts: PollTarget[][] = [];
  const outletUnits: PollTarget[][] = [];
  for (const server of tx.config.pservers)
    bmcs.push([{ id: `bmc:${server.name}`, device: { type: "bmc", system: server.name } }]);
  const guestsOf = new Map<string, PollTarget[]>();
  for (const m of Object.values(tx.shared.monitors)) {
    if (m.vmName === null) continue;
    const server = tx.server(m.system);
    if (!server || !isVirtual(server)) continue;
    let unit = guestsOf.get(m.system);
    if (!unit) {
      unit = [];
      guestsOf.set(m.system, unit);
      hosts.push(unit);
    }
    unit.push({
      id: `guest:${m.system}/${m.vmName}`,
      device: { type: "guest", system: m.system, vmName: m.vmName },
      jobKey: m.key,
    });
  }
  const outlets = new Set<string>();
  for (const server of tx.config.pservers) {
    for (const o of server.outlets) {
      const key = `${o.pdu}#${o.outlet}`;
      if (outlets.has(key)) continue;
      outlets.add(key);
      outletUnits.push([{ id: `outlet:${key}`, device: { type: "outlet", pdu: o.pdu, outlet: o.outlet } }]);
    }
  }
  return interleave([bmcs, hosts, outletUnits]);
}

/**
 * The kinds spread evenly over the round (each unit at its fractional place in its own list),
 * so a slice holds about its share of each: at the maxima one ESXi host a slice, not 8 hosts'
 * answers (ssh packets, the costly ones) in one step and none in the others. Deterministic.
 */
function interleave(kinds: PollUnit[][]): PollUnit[] {
  const placed: { at: number; kind: number; unit: PollUnit }[] = [];
  for (const [kind, units] of kinds.entries()) {
    for (const [i, unit] of units.entries()) placed.push({ at: (i + 0.5) / units.length, kind, unit });
  }
  placed.sort((a, b) => a.at - b.at || a.kind - b.kind);
  return placed.map((p) => p.unit);
}

/** A guest's registration is still there (a configuration change recomputes the round). */
function stillThere(tx: Tx, { jobKey }: PollTarget): boolean {
  return jobKey === undefined || tx.shared.monitors[jobKey] !== undefined;
}

/** After a configuration change: the rest of the round from the new configuration. */
export function refreshPollRound(tx: Tx): void {
  if (tx.state.local.polling) tx.setLocal({ pollRound: roundUnits(tx) });
}

/** Starts the polls of slice `k` of the current round; arms the next slice. */
function pollSlice(tx: Tx, k: number): void {
  if (!tx.state.local.polling) return;
  const units = tx.state.local.pollRound;
  const slices = Math.ceil(units.length / POLL_BATCH);
  // The in-flight list is copied once per slice, not per device (a copy per device made a round
  // of 272 polls block the event loop for ~50 ms).
  const inFlight = new Set(tx.state.local.pollsInFlight);
  const started: string[] = [];
  for (const target of units.slice(k * POLL_BATCH, (k + 1) * POLL_BATCH).flat()) {
    const { id, device, jobKey } = target;
    if (inFlight.has(id) || !stillThere(tx, target)) continue;
    if (device.type === "bmc" && busy(tx, device.system, null)) continue;
    if (jobKey !== undefined && tx.shared.jobs[jobKey]) continue;
    inFlight.add(id);
    started.push(id);
    tx.device(
      "status",
      device,
      jobKey === undefined ? { for: "poll", id } : { for: "poll", id, key: jobKey },
    );
  }
  if (started.length > 0) tx.setLocal({ pollsInFlight: [...tx.state.local.pollsInFlight, ...started] });
  if (k + 1 < slices) {
    const gap = Math.max(1, Math.floor((tx.options.pollIntervalMs * POLL_SPREAD) / slices));
    tx.setTimer(`${POLL_SLICE_TIMER_PREFIX}${k + 1}`, tx.now + gap);
  }
}

/** A new round: its units, its first slice now, the next round one interval later. */
export function pollTick(tx: Tx): void {
  if (!tx.state.local.polling) return;
  tx.setLocal({ pollRound: roundUnits(tx) });
  pollSlice(tx, 0);
  tx.setTimer(POLL_TIMER_ID, tx.now + tx.options.pollIntervalMs);
}

/** Routes the watch's timers; false when `id` is not one of them. */
export function onPollTimer(tx: Tx, id: string): boolean {
  if (id === POLL_TIMER_ID) {
    pollTick(tx);
    return true;
  }
  if (!id.startsWith(POLL_SLICE_TIMER_PREFIX)) return false;
  const k = Number(id.slice(POLL_SLICE_TIMER_PREFIX.length));
  if (Number.isInteger(k) && k > 0) pollSlice(tx, k);
  return true;
}

export function startPolling(tx: Tx): void {
  tx.setLocal({ polling: true, pollsInFlight: [] });
  const delay = tx.options.firstPollDelayMs ?? 0;
  if (delay > 0) tx.setTimer(POLL_TIMER_ID, tx.now + delay);
  else pollTick(tx);
}

function announcePowerOff(tx: Tx, record: MonitorRecord): void {
  if (tx.shared.jobs[record.key]) return;
  if (record.status !== "normal" && record.status !== "error") return;
  tx.apply({ op: "monitor", record: { ...record, status: "poff", statusSince: tx.now } });
  tx.notice("warn", `${record.system} ${record.subsystem}: power off detected`);
  sendAttention(tx, { ...record, category: record.vmName === null ? "P" : "V" }, "POFF");
}

export function onPollResult(tx: Tx, ev: DeviceResult): void {
  if (ev.tag.for !== "poll") return;
  const id = ev.tag.id;
  tx.setLocal({ pollsInFlight: tx.state.local.pollsInFlight.filter((x) => x !== id) });
  if (!ev.ok || ev.power === undefined) return;
  const device = ev.device;
  if (device.type === "bmc") {
    const before = serverRuntime(tx.shared, device.system).power;
    const after = ev.power === "on" ? "pon" : "poff";
    patchServer(tx, device.system, { power: after });
    if (before === "pon" && after === "poff") {
      // A virtual-server host that is off takes its guests with it.
      for (const m of Object.values(tx.shared.monitors))
        if (m.system === device.system) announcePowerOff(tx, m);
    }
  } else if (device.type === "guest") {
    const keyed = ev.tag.key === undefined ? undefined : tx.shared.monitors[ev.tag.key];
    const record =
      keyed && keyed.system === device.system && keyed.vmName === device.vmName
        ? keyed
        : Object.values(tx.shared.monitors).find(
            (m) => m.system === device.system && m.vmName === device.vmName,
          );
    if (!record || record.guestPower === ev.power) return;
    const updated = { ...record, guestPower: ev.power };
    tx.apply({ op: "monitor", record: updated });
    if (record.guestPower === "on" && ev.power === "off") announcePowerOff(tx, updated);
  }
}
