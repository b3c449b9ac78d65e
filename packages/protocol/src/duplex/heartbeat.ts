// HEARTBEAT (UDP, each node -> its peer, every intervalMs) and HELLO (first frame on the TCP stream).
import { MAX_U53 } from "../constants.js";
import type { Reader } from "../cursor.js";
import {
  type BodyCodec,
  checkHex,
  checkInt,
  checkName,
  firstError,
  isFail,
  short,
  toHex,
} from "../fields.js";
import { type ConnectorRole, connectorRole, type HeartbeatFlag, heartbeatFlags } from "./enums.js";

export interface HeartbeatBody {
  role: ConnectorRole;
  flags: Record<HeartbeatFlag, boolean>;
  /** The sender's heartbeat period; the peer derives its timeout from it (10..10000 ms). */
  intervalMs: number;
  /** Election term (epoch): raised by each node that becomes active. 0..2^53-1. */
  term: number;
  /** Version of the sender's replicated state. 0..2^53-1. */
  stateVersion: number;
  /** SHA-256 of the sender's canonical configuration, 64 lower-case hex digits. */
  configDigest: string;
  nodeName: string;
}

// HEARTBEAT body (senderId = node id 1|2; requestId = heartbeat sequence, +1 per heartbeat):
//  off size field
//    0    1 role          0 undecided, 1 active, 2 standby
//    1    1 flags         bit0 holds the reset-path VIP, bit1 synchronised with the peer,
//                         bit2 leaving (planned stop: do not fence),
//                         bit3 fencing (a fence of the receiver is in flight)
//    2    2 intervalMs    10..10000
//    4    8 term          0..2^53-1
//   12    8 stateVersion  0..2^53-1
//   20   32 configDigest  SHA-256
//   52  1+n nodeName      u8 length 1..31, OS hostname
export const heartbeatCodec: BodyCodec<HeartbeatBody> = {
  name: "HEARTBEAT",
  validate: (b) =>
    firstError(
      connectorRole.check(b.role),
      heartbeatFlags.check(b.flags),
      checkInt(b.intervalMs, "intervalMs", 10, 10_000),
      checkInt(b.term, "term", 0, MAX_U53),
      checkInt(b.stateVersion, "stateVersion", 0, MAX_U53),
      checkHex(b.configDigest, "configDigest", 32),
      checkName(b.nodeName, "nodeName"),
    ),
  write(w, b) {
    w.u8(connectorRole.toWire(b.role)).u8(heartbeatFlags.toWire(b.flags)).u16(b.intervalMs);
    w.u64(b.term).u64(b.stateVersion).bytes(Buffer.from(b.configDigest, "hex")).shortString(b.nodeName);
  },
  read(r: Reader) {
    const roleWire = r.u8();
    const flagsWire = r.u8();
    const intervalMs = r.u16();
    const term = r.u64();
    const stateVersion = r.u64();
    const digest = r.bytes(32);
    const nodeName = r.shortString();
    if (
      roleWire === undefined ||
      flagsWire === undefined ||
      intervalMs === undefined ||
      term === undefined ||
      stateVersion === undefined ||
      digest === undefined ||
      nodeName === undefined
    ) {
      return short("HEARTBEAT");
    }
    const role = connectorRole.fromWire(roleWire);
    if (isFail(role)) return role;
    const flags = heartbeatFlags.fromWire(flagsWire);
    if (isFail(flags)) return flags;
    return { role, flags, intervalMs, term, stateVersion, configDigest: toHex(digest), nodeName };
  },
};

export interface HelloBody {
  role: ConnectorRole;
  term: number;
  /** The state version the sender holds (0 = none). */
  stateVersion: number;
  configDigest: string;
  nodeName: string;
}

// HELLO body (first frame each side sends on a new TCP connection):
//  off size field
//    0    1 role          0 undecided, 1 active, 2 standby
//    1    8 term          0..2^53-1
//    9    8 stateVersion  0..2^53-1
//   17   32 configDigest  SHA-256
//   49  1+n nodeName      u8 length 1..31
export const helloCodec: BodyCodec<HelloBody> = {
  name: "HELLO",
  validate: (b) =>
    firstError(
      connectorRole.check(b.role),
      checkInt(b.term, "term", 0, MAX_U53),
      checkInt(b.stateVersion, "stateVersion", 0, MAX_U53),
      checkHex(b.configDigest, "configDigest", 32),
      checkName(b.nodeName, "nodeName"),
    ),
  write(w, b) {
    w.u8(connectorRole.toWire(b.role)).u64(b.term).u64(b.stateVersion);
    w.bytes(Buffer.from(b.configDigest, "hex")).shortString(b.nodeName);
  },
  read(r) {
    const roleWire = r.u8();
    const term = r.u64();
    const stateVersion = r.u64();
    const digest = r.bytes(32);
    const nodeName = r.shortString();
    if (
      roleWire === undefined ||
      term === undefined ||
      stateVersion === undefined ||
      digest === undefined ||
      nodeName === undefined
    ) {
      return short("HELLO");
    }
    const role = connectorRole.fromWire(roleWire);
    if (isFail(role)) return role;
    return { role, term, stateVersion, configDigest: toHex(digest), nodeName };
  },
};
