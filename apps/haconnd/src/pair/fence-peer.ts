// Fencing of the peer management server before a takeover: hardware reset through its iLO;
// when the iLO does not acknowledge within the server's timeout and iPDU control is on for it,
// cut every outlet that feeds it. Any failure means "not fenced": the caller must not take over.

import type { DeepReadonly, ManagementServer } from "@haconn/config";
import type { Devices } from "../devices.js";

export interface FenceResult {
  ok: boolean;
  method?: "bmc" | "ipdu";
  error?: string;
}

export type FenceDevices = Pick<Devices, "bmc" | "mserverOutlets">;

export async function fencePeer(
  devices: FenceDevices,
  peer: DeepReadonly<ManagementServer>,
  pduTimeoutMs = 5000,
): Promise<FenceResult> {
  const timeoutMs = (peer.timeoutSec ?? 10) * 1000;
  try {
    await devices.bmc(peer.name).reset({ timeoutMs });
    return { ok: true, method: "bmc" };
  } catch (error) {
    const bmcError = error instanceof Error ? error.message : String(error);
    if (!peer.ipdusd) return { ok: false, error: `iLO: ${bmcError}` };
    const outlets = devices.mserverOutlets(peer.name);
    if (!outlets) return { ok: false, error: `iLO: ${bmcError}; no PDU outlet linked` };
    const results = await outlets.cut({ timeoutMs: pduTimeoutMs });
    if (results.every((r) => r.ok)) return { ok: true, method: "ipdu" };
    return {
      ok: false,
      error: `iLO: ${bmcError}; PDU cut failed on ${results.filter((r) => !r.ok).length} outlet(s)`,
    };
  }
}
