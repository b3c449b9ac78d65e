// RESET (HA monitor -> connector), RESET-ACCEPTED and RESET-RESULT (connector -> HA monitor),
// RESULT-ACK (HA monitor -> connector). All four carry the RESET's requestId.
import { FLAG_FENCE } from "../constants.js";
import type { TypeFlags } from "../frame.js";
import { type BodyCodec, checkName, checkU16, checkU32, firstError, isFail, short } from "../fields.js";
import {
  DETAILS_BY_RESULT,
  type ResetPhase,
  type ResetResultCode,
  type ResetResultDetail,
  resetPhase,
  resetResultCode,
  resetResultDetail,
} from "./enums.js";

export interface ResetBody {
  targetSubsystem: number;
  /** The reset-path port of the requester's cluster (= its CHECK replyPort). */
  clusterPort: number;
  targetSystemName: string;
  /**
   * Header flags bit 1 FENCE (docs/protocol.md §4.3): start the reset even when the target's
   * status is dump or poff (no "already reset" answer). Decoded as `true` when set, absent when not.
   */
  fence?: boolean;
}

// RESET body (senderId = the requester's subsystem number):
//  off size field
//    0    4 targetSubsystem   1..2^32-1
//    4    2 clusterPort       1..65535
//    6  1+n targetSystemName  u8 length 1..31
export const resetCodec: BodyCodec<ResetBody> = {
  name: "RESET",
  validate: (b) =>
    firstError(
      checkU32(b.targetSubsystem, "targetSubsystem", 1),
      checkU16(b.clusterPort, "clusterPort", 1),
      checkName(b.targetSystemName, "targetSystemName"),
      b.fence === undefined || typeof b.fence === "boolean" ? undefined : "fence must be a boolean",
    ),
  write(w, b) {
    w.u32(b.targetSubsystem).u16(b.clusterPort).shortString(b.targetSystemName);
  },
  read(r) {
    const targetSubsystem = r.u32();
    const clusterPort = r.u16();
    const targetSystemName = r.shortString();
    if (targetSubsystem === undefined || clusterPort === undefined || targetSystemName === undefined) {
      return short("RESET");
    }
    return { targetSubsystem, clusterPort, targetSystemName };
  },
};

/** RESET's header flag FENCE (bit 1) lives in its body value as `fence`. */
export const resetFlags: TypeFlags<ResetBody> = {
  mask: FLAG_FENCE,
  get: (b) => (b.fence === true ? FLAG_FENCE : 0),
  set: (b, bits) => ((bits & FLAG_FENCE) !== 0 ? { ...b, fence: true } : b),
};

export interface ResetAcceptedBody {
  targetSubsystem: number;
  phase: ResetPhase;
}

// RESET-ACCEPTED body:
//  off size field
//    0    4 targetSubsystem  1..2^32-1
//    4    1 phase            1 queued, 2 software reset, 3 hardware reset, 4 PDU cut
export const resetAcceptedCodec: BodyCodec<ResetAcceptedBody> = {
  name: "RESET-ACCEPTED",
  validate: (b) => firstError(checkU32(b.targetSubsystem, "targetSubsystem", 1), resetPhase.check(b.phase)),
  write(w, b) {
    w.u32(b.targetSubsystem).u8(resetPhase.toWire(b.phase));
  },
  read(r) {
    const targetSubsystem = r.u32();
    const phaseWire = r.u8();
    if (targetSubsystem === undefined || phaseWire === undefined) return short("RESET-ACCEPTED");
    const phase = resetPhase.fromWire(phaseWire);
    if (isFail(phase)) return phase;
    return { targetSubsystem, phase };
  },
};

export interface ResetResultBody {
  targetSubsystem: number;
  result: ResetResultCode;
  detail: ResetResultDetail;
}

// RESET-RESULT body:
//  off size field
//    0    4 targetSubsystem  1..2^32-1
//    4    1 result           1 DUMP, 2 POFF, 3 FAIL, 4 ERROR
//    5    1 detail           0 none (DUMP, POFF); FAIL: 1 reset failed, 2 requester being reset,
//                            3 not the active connector; ERROR: 4 invalid requester,
//                            5 requester in reset-complete state, 6 unknown target
export const resetResultCodec: BodyCodec<ResetResultBody> = {
  name: "RESET-RESULT",
  validate(b) {
    const bad = firstError(
      checkU32(b.targetSubsystem, "targetSubsystem", 1),
      resetResultCode.check(b.result),
      resetResultDetail.check(b.detail),
    );
    if (bad) return bad;
    return DETAILS_BY_RESULT[b.result].includes(b.detail)
      ? undefined
      : `detail ${b.detail} is not allowed with result ${b.result}`;
  },
  write(w, b) {
    w.u32(b.targetSubsystem).u8(resetResultCode.toWire(b.result)).u8(resetResultDetail.toWire(b.detail));
  },
  read(r) {
    const targetSubsystem = r.u32();
    const resultWire = r.u8();
    const detailWire = r.u8();
    if (targetSubsystem === undefined || resultWire === undefined || detailWire === undefined) {
      return short("RESET-RESULT");
    }
    const result = resetResultCode.fromWire(resultWire);
    if (isFail(result)) return result;
    const detail = resetResultDetail.fromWire(detailWire);
    if (isFail(detail)) return detail;
    return { targetSubsystem, result, detail };
  },
};

export interface ResultAckBody {
  targetSubsystem: number;
}

// RESULT-ACK body (senderId = the requester's subsystem number):
//  off size field
//    0    4 targetSubsystem  1..2^32-1
export const resultAckCodec: BodyCodec<ResultAckBody> = {
  name: "RESULT-ACK",
  validate: (b) => checkU32(b.targetSubsystem, "targetSubsystem", 1),
  write(w, b) {
    w.u32(b.targetSubsystem);
  },
  read(r) {
    const targetSubsystem = r.u32();
    if (targetSubsystem === undefined) return short("RESULT-ACK");
    return { targetSubsystem };
  },
};
