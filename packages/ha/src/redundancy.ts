// The redundancy warning carried in CHECK replies (HA Monitor's KAMN655-W, manual §4.5):
// 1. the standby connector is not synchronised (duplex link not OK);
// 2. the standby is abnormal (its server not `normal`, or its role not `standby`);
// 3. the active or the standby management server cannot be reset (BMC or PDU link not OK).

import type { Role, ServerStatus } from "./types.js";

export type LinkState = "OK" | "NG" | "--";

export interface ServerHealth {
  role: Role;
  status: ServerStatus;
  bmc: LinkState;
  /** "--" when iPDU control is off for that server (not a fault). */
  ipdu: LinkState;
}

export interface RedundancyInput {
  link: LinkState;
  self: ServerHealth;
  peer: ServerHealth;
}

export interface RedundancyWarning {
  standbyNotSynchronised: boolean;
  standbyAbnormal: boolean;
  serverNotResettable: boolean;
}

export function redundancyWarning(input: RedundancyInput): RedundancyWarning {
  const standby = input.self.role === "standby" ? input.self : input.peer;
  const cannotReset = (h: ServerHealth) => h.bmc !== "OK" || h.ipdu === "NG";
  return {
    standbyNotSynchronised: input.link !== "OK",
    standbyAbnormal:
      input.peer.role !== "standby" || input.peer.status !== "normal" || standby.status !== "normal",
    serverNotResettable: cannotReset(input.self) || cannotReset(input.peer),
  };
}

export function hasRedundancyWarning(w: RedundancyWarning): boolean {
  return w.standbyNotSynchronised || w.standbyAbnormal || w.serverNotResettable;
}

/**
 * A connector running alone (no peer configured): there is no standby, so conditions 1 and 2
 * hold by definition; 3 holds unless two management servers are known and resettable.
 */
export function standaloneRedundancyWarning(
  healths: readonly Pick<ServerHealth, "bmc" | "ipdu">[],
): RedundancyWarning {
  return {
    standbyNotSynchronised: true,
    standbyAbnormal: true,
    serverNotResettable: healths.length < 2 || healths.some((h) => h.bmc !== "OK" || h.ipdu === "NG"),
  };
}
