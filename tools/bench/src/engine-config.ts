// The engine bench's configuration: 32 managed servers (the manual's maximum), 16 physical
// (P01..P16: the measured reset targets and their requester) and 16 virtual servers (V01..V16)
// carrying 15 HA-monitored guests each, so 16 + 240 = 256 HA monitors (the maximum). Every
// address is loopback; no datagram is ever sent to a BMC or ESXi address (the controllers are
// zero-latency fakes).

import type { HaconnConfig, ManagedServer } from "@haconn/config";

export const PHYSICAL = 16;
export const VIRTUAL = 16;
export const GUESTS_PER_VIRTUAL = 15;
export const HISPEED_MS = 1000;

export const physicalName = (i: number) => `P${String(i + 1).padStart(2, "0")}`;
export const virtualName = (i: number) => `V${String(i + 1).padStart(2, "0")}`;
export const guestName = (v: number, g: number) =>
  `VM${String(v + 1).padStart(2, "0")}G${String(g + 1).padStart(2, "0")}`;
/** Subsystem numbers: physical 1001.., guests 2001.. */
export const physicalSubsystem = (i: number) => 1001 + i;
export const guestSubsystem = (v: number, g: number) => 2001 + v * GUESTS_PER_VIRTUAL + g;

function server(name: string, octet: number, virtual: boolean): ManagedServer {
  return {
    name,
    bmc: { addr: `127.0.95.${octet}`, port: 623, account: "admin", password: "bench-pass-1", cipher: 3 },
    cluster: false,
    ipdusd: false,
    timeoutSec: null,
    recoveryTimeSec: null,
    vserver: virtual
      ? {
          addr: `127.0.96.${octet}`,
          port: 22,
          account: "root",
          password: "bench-pass-1",
          enabled: true,
          hostKey: null,
        }
      : null,
    outlets: [],
  };
}

export function engineBenchConfig(): Omit<HaconnConfig, "resetpath"> {
  return {
    schemaVersion: 1,
    mservers: [],
    pservers: [
      ...Array.from({ length: PHYSICAL }, (_, i) => server(physicalName(i), 10 + i, false)),
      ...Array.from({ length: VIRTUAL }, (_, i) => server(virtualName(i), 40 + i, true)),
    ],
    pdus: [],
    snmp: null,
    hispeed: { enabled: true, resetTimeMs: HISPEED_MS },
  };
}
