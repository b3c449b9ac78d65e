// Power and link watch: every `pollIntervalMs` the engine asks the executor for the power
// state of each managed server (BMC), each registered guest (ESXi) and each configured PDU
// outlet, one poll in flight per device. A registered system seen going from on to off with no
// reset in progress is announced (ATTENTION POFF) and shown `poff`. Servers with a job are not
// polled through their BMC while the job runs (no contention with the reset commands).

import { sendAttention } from "./attention.js";
import { isVirtual, patchServer, serverRuntime } from "./status.js";
import type { Tx } from "./tx.js";
import type { DeviceRef, EngineEvent, MonitorRecord } from "./types.js";

type DeviceResult = Extract<EngineEvent, { type: "deviceResult" }>;

export const POLL_TIMER_ID = "poll";

function busy(tx: Tx, system: string, vmName: string | null): boolean {
  return Object.values(tx.shared.jobs).some(
    (j) => j.system === system && (vmName === null || j.vmName === vmName),
  );
}

export function pollTick(tx: Tx): void {
  if (!tx.state.local.polling) return;
  // One round: hundreds of devices. The in-flight list is copied once per round, not per device
  // (a copy per device made a round of 272 polls block the event loop for ~50 ms).
  const inFlight = new Set(tx.state.local.pollsInFlight);
  const started: string[] = [];
  const poll = (id: string, device: DeviceRef) => {
    if (inFlight.has(id)) return;
    inFlight.add(id);
    started.push(id);
    tx.device("status", device, { for: "poll", id });
  };
  for (const server of tx.config.pservers) {
    if (!busy(tx, server.name, null)) poll(`bmc:${server.name}`, { type: "bmc", system: server.name });
  }
  for (const m of Object.values(tx.shared.monitors)) {
    if (m.vmName === null) continue;
    const server = tx.server(m.system);
    if (!server || !isVirtual(server) || tx.shared.jobs[m.key]) continue;
    poll(`guest:${m.system}/${m.vmName}`, { type: "guest", system: m.system, vmName: m.vmName });
  }
  const outlets = new Map<string, { pdu: string; outlet: number }>();
  for (const server of tx.config.pservers) {
    for (const o of server.outlets) outlets.set(`${o.pdu}#${o.outlet}`, o);
  }
  for (const [key, o] of outlets) poll(`outlet:${key}`, { type: "outlet", pdu: o.pdu, outlet: o.outlet });
  if (started.length > 0) tx.setLocal({ pollsInFlight: [...tx.state.local.pollsInFlight, ...started] });
  tx.setTimer(POLL_TIMER_ID, tx.now + tx.options.pollIntervalMs);
}

export function startPolling(tx: Tx): void {
  tx.setLocal({ polling: true, pollsInFlight: [] });
  pollTick(tx);
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
    const record = Object.values(tx.shared.monitors).find(
      (m) => m.system === device.system && m.vmName === device.vmName,
    );
    if (!record || record.guestPower === ev.power) return;
    const updated = { ...record, guestPower: ev.power };
    tx.apply({ op: "monitor", record: updated });
    if (record.guestPower === "on" && ev.power === "off") announcePowerOff(tx, updated);
  }
}
