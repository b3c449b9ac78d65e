// ATTENTION (connector -> every HA monitor of the target's cluster) and ATTENTION-ACK.
import { MAX_U53 } from "../constants.js";
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
import { type AttentionState, attentionState, type SystemKind, systemKind } from "./enums.js";

export interface AttentionBody {
  /** Unique per event across both connectors; receivers deduplicate on it. 1..2^53-1. */
  eventId: number;
  state: AttentionState;
  kind: SystemKind;
  targetSubsystem: number;
  /** The target cluster's reset-path port. */
  clusterPort: number;
  targetSystemName: string;
  /** Guest only; empty for a physical system. */
  targetVmName: string;
}

// ATTENTION body (senderId 0):
//  off size field
//    0    8 eventId           1..2^53-1
//    8    1 state             1 DUMP, 2 REBOOT, 3 POFF
//    9    1 kind              1 physical, 2 guest
//   10    4 targetSubsystem   1..2^32-1
//   14    2 clusterPort       1..65535
//   16  1+n targetSystemName  u8 length 1..31
//  ...  1+n targetVmName      u8 length: 0 for physical, 1..31 for guest
export const attentionCodec: BodyCodec<AttentionBody> = {
  name: "ATTENTION",
  validate: (b) =>
    firstError(
      checkInt(b.eventId, "eventId", 1, MAX_U53),
      attentionState.check(b.state),
      systemKind.check(b.kind),
      checkU32(b.targetSubsystem, "targetSubsystem", 1),
      checkU16(b.clusterPort, "clusterPort", 1),
      checkName(b.targetSystemName, "targetSystemName"),
      b.kind === "guest"
        ? checkName(b.targetVmName, "targetVmName")
        : checkName(b.targetVmName, "targetVmName (physical)", 0, 0),
    ),
  write(w, b) {
    w.u64(b.eventId).u8(attentionState.toWire(b.state)).u8(systemKind.toWire(b.kind));
    w.u32(b.targetSubsystem).u16(b.clusterPort).shortString(b.targetSystemName).shortString(b.targetVmName);
  },
  read(r) {
    const eventId = r.u64();
    const stateWire = r.u8();
    const kindWire = r.u8();
    const targetSubsystem = r.u32();
    const clusterPort = r.u16();
    const targetSystemName = r.shortString();
    const targetVmName = r.shortString();
    if (
      eventId === undefined ||
      stateWire === undefined ||
      kindWire === undefined ||
      targetSubsystem === undefined ||
      clusterPort === undefined ||
      targetSystemName === undefined ||
      targetVmName === undefined
    ) {
      return short("ATTENTION");
    }
    const state = attentionState.fromWire(stateWire);
    if (isFail(state)) return state;
    const kind = systemKind.fromWire(kindWire);
    if (isFail(kind)) return kind;
    return { eventId, state, kind, targetSubsystem, clusterPort, targetSystemName, targetVmName };
  },
};

export interface AttentionAckBody {
  eventId: number;
}

// ATTENTION-ACK body (senderId = the acknowledging monitor's subsystem number; requestId echoes):
//  off size field
//    0    8 eventId  1..2^53-1
export const attentionAckCodec: BodyCodec<AttentionAckBody> = {
  name: "ATTENTION-ACK",
  validate: (b) => checkInt(b.eventId, "eventId", 1, MAX_U53),
  write(w, b) {
    w.u64(b.eventId);
  },
  read(r) {
    const eventId = r.u64();
    if (eventId === undefined) return short("ATTENTION-ACK");
    return { eventId };
  },
};
