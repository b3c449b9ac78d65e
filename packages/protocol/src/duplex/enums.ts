// Enumerations of the duplex protocol (docs/protocol.md §5).
import { Bits, Enum } from "../fields.js";
import type { ConnectorRole } from "../reset-path/enums.js";

export { connectorRole } from "../reset-path/enums.js";
export type { ConnectorRole };

export type HeartbeatFlag = "holdsVip" | "synchronised" | "leaving" | "fencing";
export const heartbeatFlags = new Bits<HeartbeatFlag>("flags", {
  holdsVip: 0x01,
  synchronised: 0x02,
  leaving: 0x04,
  /** A fence of the receiver is in flight: do not take the active role from the sender. */
  fencing: 0x08,
});

export type DuplexCommand =
  | "restartStandby"
  | "shutdown"
  | "copyConfig"
  | "reload"
  | "pduCutTest"
  | "collectLogs";
export const duplexCommand = new Enum<DuplexCommand>("command", {
  restartStandby: 1,
  shutdown: 2,
  copyConfig: 3,
  reload: 4,
  pduCutTest: 5,
  collectLogs: 6,
});

export type CommandStatus = "accepted" | "partial" | "done" | "failed" | "rejected";
export const commandStatus = new Enum<CommandStatus>("status", {
  accepted: 1,
  partial: 2,
  done: 3,
  failed: 4,
  rejected: 5,
});
