// HA-monitor registry: a CHECK registers (or refreshes) a system and gets a reply saying whether
// it was accepted and whether it can be reset now. Limits: 256 systems, 1 per physical server,
// 16 guests per virtual server. A registration is *live* until it missed 3 of its CHECK periods
// (`intervalMs`; `staleRegistrationMs` when unknown); a stale one (without a job) may be
// replaced when a limit would refuse a newcomer.
//
// Squatting: a CHECK from another address never takes a live registration's slot or moves it,
// unless the CHECK is signed (key mode: the sender holds the reset-path key). So an unsigned
// CHECK with a live monitor's (replyPort, subsystem) is refused `SLOT_HELD` and the real monitor
// keeps its RESETs; guest slots held by live guests are not freed for a newcomer; slots of
// monitors that went silent expire. A refused CHECK changes nothing (no state).

import { MAX_GUESTS_PER_VIRTUAL_SERVER, MAX_SYSTEMS, MAX_SYSTEMS_PER_PHYSICAL_SERVER } from "./constants.js";
import { isVirtual, resettabilityReasons } from "./status.js";
import type { Tx } from "./tx.js";
import type { CheckRefusal, EngineEvent, MonitorRecord } from "./types.js";
import { targetKey } from "./types.js";

type CheckEvent = Extract<EngineEvent, { type: "check" }>;

function refuse(tx: Tx, ev: CheckEvent, refusal: CheckRefusal): void {
  tx.emit({
    kind: "sendCheckReply",
    to: ev.from,
    system: ev.system,
    subsystem: ev.subsystem,
    requestId: ev.requestId ?? 0,
    accepted: false,
    refusal,
    resettable: false,
    reasons: [],
  });
}

/** True once the monitor missed 3 CHECK periods (or `staleRegistrationMs` when its period is unknown). */
export function isStale(tx: Pick<Tx, "now" | "options">, record: MonitorRecord): boolean {
  const after = record.intervalMs !== undefined ? 3 * record.intervalMs : tx.options.staleRegistrationMs;
  return tx.now - record.lastSeen >= after;
}

function evictable(tx: Tx, record: MonitorRecord): boolean {
  if (tx.shared.jobs[record.key]) return false;
  return record.addr === null || isStale(tx, record);
}

/** Frees one slot among `candidates` by evicting the least recently seen stale one. */
function evictOne(tx: Tx, candidates: MonitorRecord[]): boolean {
  const victim = candidates.filter((r) => evictable(tx, r)).sort((a, b) => a.lastSeen - b.lastSeen)[0];
  if (!victim) return false;
  tx.apply({ op: "monitorRemoved", key: victim.key });
  tx.notice(
    "info",
    `registration ${victim.key} (${victim.system}) replaced: unseen since ${victim.lastSeen}`,
  );
  return true;
}

function checkLimits(tx: Tx, ev: CheckEvent, key: string): CheckRefusal | null {
  const others = () => Object.values(tx.shared.monitors).filter((r) => r.key !== key);
  if (ev.vmName === null) {
    const same = () => others().filter((r) => r.system === ev.system && r.vmName === null);
    while (same().length >= MAX_SYSTEMS_PER_PHYSICAL_SERVER) {
      if (!evictOne(tx, same())) return "SERVER_LIMIT";
    }
  } else {
    const twin = others().filter((r) => r.system === ev.system && r.vmName === ev.vmName);
    for (const r of twin) if (!evictOne(tx, [r])) return "CONFLICT";
    const guests = () => others().filter((r) => r.system === ev.system && r.vmName !== null);
    while (guests().length >= MAX_GUESTS_PER_VIRTUAL_SERVER) {
      if (!evictOne(tx, guests())) return "GUEST_LIMIT";
    }
  }
  while (others().length >= MAX_SYSTEMS) {
    if (!evictOne(tx, others())) return "SYSTEM_LIMIT";
  }
  return null;
}

export function handleCheck(tx: Tx, ev: CheckEvent): void {
  const server = tx.server(ev.system);
  if (!server) {
    refuse(tx, ev, "UNKNOWN_SYSTEM");
    return;
  }
  if (ev.vmName !== null && !isVirtual(server)) {
    refuse(tx, ev, "VMWARE_DISABLED");
    return;
  }
  if (ev.vmName === null && isVirtual(server)) {
    refuse(tx, ev, "VM_NAME_REQUIRED");
    return;
  }

  const key = targetKey(ev.port, ev.subsystem);
  const existing = tx.shared.monitors[key];
  const sameIdentity = existing && existing.system === ev.system && existing.vmName === ev.vmName;
  if (existing && !sameIdentity && tx.shared.jobs[key]) {
    refuse(tx, ev, "CONFLICT");
    return;
  }
  const moved = existing !== undefined && existing.addr !== null && existing.addr !== ev.from.addr;
  if (moved && !isStale(tx, existing)) {
    // A live registration moves to another address only by a signed CHECK, and never changes
    // identity while live: otherwise anyone could redirect a monitor's slot to themselves.
    if (!sameIdentity || ev.authenticated !== true) {
      refuse(tx, ev, "SLOT_HELD");
      return;
    }
  }
  if (!sameIdentity) {
    const refusal = checkLimits(tx, ev, key);
    if (refusal) {
      refuse(tx, ev, refusal);
      return;
    }
  }

  const base: MonitorRecord =
    existing && sameIdentity
      ? existing
      : {
          key,
          port: ev.port,
          subsystem: ev.subsystem,
          system: ev.system,
          vmName: ev.vmName,
          addr: ev.from.addr,
          pair: null,
          firstSeen: tx.now,
          lastSeen: tx.now,
          status: "normal",
          statusSince: tx.now,
          guestPower: null,
        };
  const record: MonitorRecord = {
    ...base,
    addr: ev.from.addr,
    lastSeen: tx.now,
    pair: server.cluster ? ev.pairSubsystem : null,
  };
  if (ev.intervalSec !== undefined) record.intervalMs = ev.intervalSec * 1000;
  if (moved) {
    // Logged once per move: an unsigned move needs the old address silent for 3 periods, so
    // this line cannot come faster than that per registration.
    tx.notice(
      "warn",
      `registration ${key} (${ev.system}) moved from ${existing.addr} to ${ev.from.addr}` +
        (ev.authenticated ? " (signed CHECK)" : " (the old address was silent)"),
    );
  }
  // A system back from a reset or a power-off registers again: normal, once the guard has
  // passed (a CHECK sent before the failure may still be in flight).
  if (
    record.status !== "normal" &&
    !tx.shared.jobs[key] &&
    tx.now - record.statusSince >= tx.options.returnToNormalGuardMs
  ) {
    record.status = "normal";
    record.statusSince = tx.now;
  }
  tx.apply({ op: "monitor", record });

  const reasons = resettabilityReasons(tx.config, tx.shared, record);
  tx.emit({
    kind: "sendCheckReply",
    to: ev.from,
    system: ev.system,
    subsystem: ev.subsystem,
    requestId: ev.requestId ?? 0,
    accepted: true,
    refusal: null,
    resettable: reasons.length === 0,
    reasons,
  });
}
