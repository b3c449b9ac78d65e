// State synchronisation on the TCP stream: SNAPSHOT, DELTA (active -> standby), SYNC-ACK (back).
import { MAX_U53 } from "../constants.js";
import { type BodyCodec, checkInt, firstError, isFail, short } from "../fields.js";
import { checkPayload, type Payload, readPayload, writePayload } from "./payload.js";

const checkVersion = (v: unknown, f: string, min = 0) => checkInt(v, f, min, MAX_U53);

export interface SnapshotBody {
  term: number;
  /** The state version the snapshot represents. */
  stateVersion: number;
  state: Payload;
}

// SNAPSHOT body:
//  off size field
//    0    8 term          0..2^53-1
//    8    8 stateVersion  0..2^53-1
//   16    7+n state       payload (see payload.ts), JSON schema 1 today
export const snapshotCodec: BodyCodec<SnapshotBody> = {
  name: "SNAPSHOT",
  validate: (b) =>
    firstError(
      checkVersion(b.term, "term"),
      checkVersion(b.stateVersion, "stateVersion"),
      checkPayload(b.state),
    ),
  write(w, b) {
    w.u64(b.term).u64(b.stateVersion);
    writePayload(w, b.state);
  },
  read(r) {
    const term = r.u64();
    const stateVersion = r.u64();
    if (term === undefined || stateVersion === undefined) return short("SNAPSHOT");
    const state = readPayload(r);
    if (isFail(state)) return state;
    return { term, stateVersion, state };
  },
};

export interface DeltaBody {
  term: number;
  /** The version the delta applies to; the receiver must hold exactly this version. */
  baseVersion: number;
  /** The version after applying; greater than baseVersion. */
  stateVersion: number;
  change: Payload;
}

// DELTA body:
//  off size field
//    0    8 term          0..2^53-1
//    8    8 baseVersion   0..2^53-2
//   16    8 stateVersion  baseVersion+1..2^53-1
//   24  7+n change        payload
export const deltaCodec: BodyCodec<DeltaBody> = {
  name: "DELTA",
  validate: (b) =>
    firstError(
      checkVersion(b.term, "term"),
      checkVersion(b.baseVersion, "baseVersion"),
      checkVersion(b.stateVersion, "stateVersion", 1),
      b.stateVersion > b.baseVersion ? undefined : "stateVersion must be greater than baseVersion",
      checkPayload(b.change, "change"),
    ),
  write(w, b) {
    w.u64(b.term).u64(b.baseVersion).u64(b.stateVersion);
    writePayload(w, b.change);
  },
  read(r) {
    const term = r.u64();
    const baseVersion = r.u64();
    const stateVersion = r.u64();
    if (term === undefined || baseVersion === undefined || stateVersion === undefined) return short("DELTA");
    const change = readPayload(r);
    if (isFail(change)) return change;
    return { term, baseVersion, stateVersion, change };
  },
};

export interface SyncAckBody {
  term: number;
  /** Highest state version the sender has applied. */
  stateVersion: number;
}

// SYNC-ACK body:
//  off size field
//    0    8 term          0..2^53-1
//    8    8 stateVersion  0..2^53-1
export const syncAckCodec: BodyCodec<SyncAckBody> = {
  name: "SYNC-ACK",
  validate: (b) => firstError(checkVersion(b.term, "term"), checkVersion(b.stateVersion, "stateVersion")),
  write(w, b) {
    w.u64(b.term).u64(b.stateVersion);
  },
  read(r) {
    const term = r.u64();
    const stateVersion = r.u64();
    if (term === undefined || stateVersion === undefined) return short("SYNC-ACK");
    return { term, stateVersion };
  },
};
