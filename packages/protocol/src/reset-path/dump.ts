// DUMP-NOTICE (dump notifier on the reset target -> connector) and DUMP-ACK (connector -> notifier).
import { type BodyCodec, checkName, checkU16, checkU32, firstError, isFail, short } from "../fields.js";
import { type DumpAckStatus, dumpAckStatus } from "./enums.js";

export interface DumpNoticeBody {
  /** The stopped system's HA monitor reset-path port; 0 when the notifier does not know it. */
  clusterPort: number;
  /** The stopped system's name; empty when the notifier does not know it. */
  systemName: string;
}

// DUMP-NOTICE body (senderId = the stopped system's subsystem number):
//  off size field
//    0    2 clusterPort  0 = unknown, else 1..65535
//    2  1+n systemName   u8 length 0..31 (0 = unknown)
export const dumpNoticeCodec: BodyCodec<DumpNoticeBody> = {
  name: "DUMP-NOTICE",
  validate: (b) =>
    firstError(checkU16(b.clusterPort, "clusterPort"), checkName(b.systemName, "systemName", 0)),
  write(w, b) {
    w.u16(b.clusterPort).shortString(b.systemName);
  },
  read(r) {
    const clusterPort = r.u16();
    const systemName = r.shortString();
    if (clusterPort === undefined || systemName === undefined) return short("DUMP-NOTICE");
    return { clusterPort, systemName };
  },
};

export interface DumpAckBody {
  /** Echo of the notice's senderId. */
  subsystem: number;
  status: DumpAckStatus;
}

// DUMP-ACK body (requestId echoes the notice):
//  off size field
//    0    4 subsystem  1..2^32-1
//    4    1 status     1 accepted (a reset of this system was in progress), 2 recorded (none was),
//                      3 unknown system
export const dumpAckCodec: BodyCodec<DumpAckBody> = {
  name: "DUMP-ACK",
  validate: (b) => firstError(checkU32(b.subsystem, "subsystem", 1), dumpAckStatus.check(b.status)),
  write(w, b) {
    w.u32(b.subsystem).u8(dumpAckStatus.toWire(b.status));
  },
  read(r) {
    const subsystem = r.u32();
    const statusWire = r.u8();
    if (subsystem === undefined || statusWire === undefined) return short("DUMP-ACK");
    const status = dumpAckStatus.fromWire(statusWire);
    if (isFail(status)) return status;
    return { subsystem, status };
  },
};
