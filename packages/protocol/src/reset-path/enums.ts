// Enumerations and bit sets of the reset path (docs/protocol.md §4).
import { Bits, Enum } from "../fields.js";

export type SystemKind = "physical" | "guest";
export const systemKind = new Enum<SystemKind>("kind", { physical: 1, guest: 2 });

/** Connector role of the node that answered; "undecided" = the manual's `---`. */
export type ConnectorRole = "undecided" | "active" | "standby";
export const connectorRole = new Enum<ConnectorRole>("role", { undecided: 0, active: 1, standby: 2 });

/** The system's status as `haconnshow hamonitor` shows it ("unset" = `----`). */
export type SystemStatus = "unset" | "normal" | "reset" | "dump" | "poff" | "error";
export const systemStatus = new Enum<SystemStatus>("status", {
  unset: 0,
  normal: 1,
  reset: 2,
  dump: 3,
  poff: 4,
  error: 5,
});

/** Why the system cannot be reset now (the KAMN624-E causes). All false = resettable. */
export type ResetBlocker = "unknownSystem" | "bmcLink" | "pduLink" | "esxiLink";
export const resetBlockers = new Bits<ResetBlocker>("blockers", {
  unknownSystem: 0x01,
  bmcLink: 0x02,
  pduLink: 0x04,
  esxiLink: 0x08,
});

/** The pair's redundancy warning (the KAMN655-W conditions 1-3). All false = redundant. */
export type RedundancyWarning =
  | "standbyNotSynchronised"
  | "standbyAbnormal"
  | "managementServerNotResettable";
export const redundancyWarnings = new Bits<RedundancyWarning>("redundancy", {
  standbyNotSynchronised: 0x01,
  standbyAbnormal: 0x02,
  managementServerNotResettable: 0x04,
});

/** How far an accepted reset has gone. */
export type ResetPhase = "queued" | "softReset" | "hardReset" | "pduCut";
export const resetPhase = new Enum<ResetPhase>("phase", { queued: 1, softReset: 2, hardReset: 3, pduCut: 4 });

/** RM-RESET response codes (manual §3.8). */
export type ResetResultCode = "DUMP" | "POFF" | "FAIL" | "ERROR";
export const resetResultCode = new Enum<ResetResultCode>("result", { DUMP: 1, POFF: 2, FAIL: 3, ERROR: 4 });

/** Which case of the result code applies. */
export type ResetResultDetail =
  | "none"
  | "resetFailed"
  | "requesterBeingReset"
  | "notActive"
  | "invalidRequester"
  | "requesterResetComplete"
  | "unknownTarget";
export const resetResultDetail = new Enum<ResetResultDetail>("detail", {
  none: 0,
  resetFailed: 1,
  requesterBeingReset: 2,
  notActive: 3,
  invalidRequester: 4,
  requesterResetComplete: 5,
  unknownTarget: 6,
});

/** Details allowed with each result code. */
export const DETAILS_BY_RESULT: Readonly<Record<ResetResultCode, readonly ResetResultDetail[]>> = {
  DUMP: ["none"],
  POFF: ["none"],
  FAIL: ["resetFailed", "requesterBeingReset", "notActive"],
  ERROR: ["invalidRequester", "requesterResetComplete", "unknownTarget"],
};

/** ATTENTION states (manual §7.3 `<状態>`). */
export type AttentionState = "DUMP" | "REBOOT" | "POFF";
export const attentionState = new Enum<AttentionState>("state", { DUMP: 1, REBOOT: 2, POFF: 3 });

export type DumpAckStatus = "accepted" | "recorded" | "unknownSystem";
export const dumpAckStatus = new Enum<DumpAckStatus>("status", {
  accepted: 1,
  recorded: 2,
  unknownSystem: 3,
});
