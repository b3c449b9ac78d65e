// Power restore of the outlets cut by a job, `recoverytime` seconds after the cut.

import { outletKey } from "./deltas.js";
import type { Tx } from "./tx.js";
import type { EngineEvent, LogContext, PendingRestore } from "./types.js";

type DeviceResult = Extract<EngineEvent, { type: "deviceResult" }>;

export function restoreTimerId(id: number): string {
  return `restore:${id}`;
}

export function scheduleRestore(
  tx: Tx,
  id: number,
  system: string,
  outlets: PendingRestore["outlets"],
  at: number,
  log: LogContext,
): void {
  tx.apply({ op: "restore", restore: { id, system, outlets: [...outlets], at, started: false, log } });
  tx.setTimer(restoreTimerId(id), at);
}

export function startRestore(tx: Tx, restore: PendingRestore): void {
  if (tx.now < restore.at) {
    tx.setTimer(restoreTimerId(restore.id), restore.at);
    return;
  }
  tx.apply({ op: "restore", restore: { ...restore, started: true } });
  for (const o of restore.outlets) {
    tx.device(
      "on",
      { type: "outlet", pdu: o.pdu, outlet: o.outlet },
      { for: "restore", id: restore.id, log: restore.log },
    );
    tx.log({
      type: "IPDUSD",
      dir: "SEND",
      ctx: restore.log,
      pduAddr: tx.pdu(o.pdu)?.addr ?? o.pdu,
      outlet: o.outlet,
      action: "ON",
    });
  }
}

export function onRestoreResult(tx: Tx, ev: DeviceResult): void {
  if (ev.tag.for !== "restore" || ev.device.type !== "outlet") return;
  const { pdu, outlet } = ev.device;
  if (ev.ok) {
    tx.log({
      type: "IPDUSD",
      dir: "RECV",
      ctx: ev.tag.log,
      pduAddr: tx.pdu(pdu)?.addr ?? pdu,
      outlet,
      action: "ON",
    });
  } else {
    tx.notice("error", `power restore of ${outletKey(pdu, outlet)} failed (${ev.code}); run acrecovery`);
  }
  const restore = tx.shared.restores[String(ev.tag.id)];
  if (!restore) return;
  const outlets = restore.outlets.filter((o) => !(o.pdu === pdu && o.outlet === outlet));
  if (outlets.length === 0) tx.apply({ op: "restoreRemoved", id: restore.id });
  else tx.apply({ op: "restore", restore: { ...restore, outlets } });
}
