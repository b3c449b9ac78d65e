// The configuration every bad input is tried against: the setup (issue #20) on loopback.
// VIP 127.0.0.50/24; HACON1 (iLO .11, duplex .21:40010), HACON2 (iLO .12, duplex .22:40010);
// PSERVER1 (BMC .31, PDU outlet), PSERVER2 (BMC .32, ESXi .41), PDU 127.0.3.1, hispeed off.
import type { HaconnConfig } from "@haconn/config";

const bmc = (addr: string) => ({ addr, port: 623, account: "admin", password: "Passw0rd!", cipher: 3 });

export function baseConfig(): HaconnConfig {
  return {
    schemaVersion: 1,
    resetpath: { addr: "127.0.0.50", mask: "255.255.255.0", prefixLength: 24, port: 20001 },
    mservers: [
      {
        name: "HACON1",
        bmc: bmc("127.0.0.11"),
        ipdusd: false,
        timeoutSec: null,
        mlan: { addr: "127.0.0.21", port: 40010 },
        outlets: [],
      },
      {
        name: "HACON2",
        bmc: bmc("127.0.0.12"),
        ipdusd: false,
        timeoutSec: null,
        mlan: { addr: "127.0.0.22", port: 40010 },
        outlets: [],
      },
    ],
    pservers: [
      {
        name: "PSERVER1",
        bmc: bmc("127.0.0.31"),
        cluster: false,
        ipdusd: true,
        timeoutSec: 10,
        recoveryTimeSec: 10,
        vserver: null,
        outlets: [{ pdu: "127.0.3.1", outlet: 1 }],
      },
      {
        name: "PSERVER2",
        bmc: bmc("127.0.0.32"),
        cluster: false,
        ipdusd: false,
        timeoutSec: null,
        recoveryTimeSec: null,
        vserver: {
          addr: "127.0.0.41",
          port: 22,
          account: "root",
          password: "esxi-pw",
          enabled: true,
          hostKey: null,
        },
        outlets: [],
      },
    ],
    pdus: [{ key: "127.0.3.1", addr: "127.0.3.1", port: 161, model: "IBM_PDU", profile: null }],
    snmp: { community: "private" },
    hispeed: { enabled: false, resetTimeMs: null },
  };
}
