// CHECK (HA monitor -> connector) and CHECK-REPLY (connector -> HA monitor).
import type { Reader, Writer } from "../cursor.js";
import {
  type BodyCodec,
  checkInt,
  checkName,
  checkU16,
  checkU32,
  firstError,
  isFail,
  short,
} from "../fields.js";
import {
  type ConnectorRole,
  connectorRole,
  type RedundancyWarning,
  type ResetBlocker,
  redundancyWarnings,
  resetBlockers,
  type SystemKind,
  type SystemStatus,
  systemKind,
  systemStatus,
} from "./enums.js";

export interface CheckBody {
  /** The monitor's reset-path port: where replies to later requests and ATTENTION go. */
  replyPort: number;
  kind: SystemKind;
  /** The monitor's check period, so the connector can tell a silent monitor (1..3600 s). */
  intervalSec: number;
  /** Subsystem number of the monitoring-pair peer (cluster management); 0 = none. */
  pairSubsystem: number;
  /** The HA monitor's partition name = the connector's system name. */
  systemName: string;
  /** Guest only: its VM name. Empty for a physical system. */
  vmName: string;
}

// CHECK body (senderId = the monitor's subsystem number):
//  off size field
//    0    2 replyPort      1..65535
//    2    1 kind           1 physical, 2 guest
//    3    2 intervalSec    1..3600
//    5    4 pairSubsystem  0 = none, else the peer's subsystem number
//    9  1+n systemName     u8 length 1..31, then [A-Za-z0-9_-]
//  ...  1+n vmName         u8 length: 0 for physical, 1..31 for guest
export const checkCodec: BodyCodec<CheckBody> = {
  name: "CHECK",
  validate: (b) =>
    firstError(
      checkU16(b.replyPort, "replyPort", 1),
      systemKind.check(b.kind),
      checkInt(b.intervalSec, "intervalSec", 1, 3600),
      checkU32(b.pairSubsystem, "pairSubsystem"),
      checkName(b.systemName, "systemName"),
      b.kind === "guest" ? checkName(b.vmName, "vmName") : checkName(b.vmName, "vmName (physical)", 0, 0),
    ),
  write(w: Writer, b: CheckBody) {
    w.u16(b.replyPort).u8(systemKind.toWire(b.kind)).u16(b.intervalSec).u32(b.pairSubsystem);
    w.shortString(b.systemName).shortString(b.vmName);
  },
  read(r: Reader) {
    const replyPort = r.u16();
    const kindWire = r.u8();
    const intervalSec = r.u16();
    const pairSubsystem = r.u32();
    const systemName = r.shortString();
    const vmName = r.shortString();
    if (
      replyPort === undefined ||
      kindWire === undefined ||
      intervalSec === undefined ||
      pairSubsystem === undefined ||
      systemName === undefined ||
      vmName === undefined
    ) {
      return short("CHECK");
    }
    const kind = systemKind.fromWire(kindWire);
    if (isFail(kind)) return kind;
    return { replyPort, kind, intervalSec, pairSubsystem, systemName, vmName };
  },
};

export interface CheckReplyBody {
  /** Why the sender's system cannot be reset now; all false = it can be reset. */
  blockers: Record<ResetBlocker, boolean>;
  /** Redundancy warning of the connector pair; all false = redundant. */
  redundancy: Record<RedundancyWarning, boolean>;
  /** Role of the node that answered. */
  role: ConnectorRole;
  /** The sender's status as the connector records it. */
  status: SystemStatus;
  /** The monitoring-pair peer the connector recorded (`pair#`); 0 = none. */
  pairSubsystem: number;
  /** Hostname of the management server that answered. */
  responder: string;
}

// CHECK-REPLY body (requestId echoes the CHECK):
//  off size field
//    0    1 blockers       bit0 unknown system, bit1 BMC link NG, bit2 PDU link NG, bit3 ESXi link NG
//    1    1 redundancy     bit0 standby not synchronised, bit1 standby abnormal,
//                          bit2 a management server cannot be reset
//    2    1 role           0 undecided, 1 active, 2 standby
//    3    1 status         0 unset, 1 normal, 2 reset, 3 dump, 4 poff, 5 error
//    4    4 pairSubsystem  0 = none
//    8  1+n responder      u8 length 1..31, node hostname
export const checkReplyCodec: BodyCodec<CheckReplyBody> = {
  name: "CHECK-REPLY",
  validate: (b) =>
    firstError(
      resetBlockers.check(b.blockers),
      redundancyWarnings.check(b.redundancy),
      connectorRole.check(b.role),
      systemStatus.check(b.status),
      checkU32(b.pairSubsystem, "pairSubsystem"),
      checkName(b.responder, "responder"),
    ),
  write(w, b) {
    w.u8(resetBlockers.toWire(b.blockers)).u8(redundancyWarnings.toWire(b.redundancy));
    w.u8(connectorRole.toWire(b.role)).u8(systemStatus.toWire(b.status)).u32(b.pairSubsystem);
    w.shortString(b.responder);
  },
  read(r) {
    const blockersWire = r.u8();
    const redundancyWire = r.u8();
    const roleWire = r.u8();
    const statusWire = r.u8();
    const pairSubsystem = r.u32();
    const responder = r.shortString();
    if (
      blockersWire === undefined ||
      redundancyWire === undefined ||
      roleWire === undefined ||
      statusWire === undefined ||
      pairSubsystem === undefined ||
      responder === undefined
    ) {
      return short("CHECK-REPLY");
    }
    const blockers = resetBlockers.fromWire(blockersWire);
    if (isFail(blockers)) return blockers;
    const redundancy = redundancyWarnings.fromWire(redundancyWire);
    if (isFail(redundancy)) return redundancy;
    const role = connectorRole.fromWire(roleWire);
    if (isFail(role)) return role;
    const status = systemStatus.fromWire(statusWire);
    if (isFail(status)) return status;
    return { blockers, redundancy, role, status, pairSubsystem, responder };
  },
};

/** True when no blocker is set: the connector can reset the system now. */
export function isResettable(reply: CheckReplyBody): boolean {
  return !Object.values(reply.blockers).some(Boolean);
}

/** True when any KAMN655-W condition is set. */
export function hasRedundancyWarning(reply: CheckReplyBody): boolean {
  return Object.values(reply.redundancy).some(Boolean);
}
