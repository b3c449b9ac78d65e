// Configuration builders for tests: loopback addresses only. Builds a ResolvedConfig object
// directly (the engine needs only the resolved shape, not the config package's functions).

import type { HaconnConfig, ManagedServer, PduSettings, ResolvedConfig } from "@haconn/config";

export interface ServerSpec {
  name: string;
  cluster?: boolean;
  ipdusd?: boolean;
  timeoutSec?: number | null;
  recoveryTimeSec?: number | null;
  /** `[pduKey, outlet]` pairs. */
  outlets?: [string, number][];
  /** A virtual server (VMware=Enable) with an ESXi host on loopback. */
  virtual?: boolean;
}

export interface ConfigSpec {
  servers: ServerSpec[];
  /** PDU addresses (loopback); their key is the address (port 161). */
  pdus?: string[];
  /** hispeed resettime, or null for off (5000 ms). */
  hispeedMs?: number | null;
}

let counter = 0;

export function managedServer(spec: ServerSpec, index: number): ManagedServer {
  const octet = 11 + index;
  return {
    name: spec.name,
    bmc: { addr: `127.0.1.${octet}`, port: 623, account: "admin", password: "password1", cipher: 3 },
    cluster: spec.cluster ?? false,
    ipdusd: spec.ipdusd ?? false,
    timeoutSec: spec.timeoutSec ?? (spec.ipdusd ? 5 : null),
    recoveryTimeSec: spec.recoveryTimeSec ?? (spec.ipdusd ? 5 : null),
    vserver: spec.virtual
      ? {
          addr: `127.0.2.${octet}`,
          port: 22,
          account: "root",
          password: "password1",
          enabled: true,
          hostKey: null,
        }
      : null,
    outlets: (spec.outlets ?? []).map(([pdu, outlet]) => ({ pdu, outlet })),
  };
}

export function pduSettings(addr: string): PduSettings {
  return { key: addr, addr, port: 161, model: "IBM_PDU", profile: null };
}

export function buildConfig(spec: ConfigSpec): ResolvedConfig {
  const hispeed = spec.hispeedMs ?? null;
  const config: HaconnConfig = {
    schemaVersion: 1,
    resetpath: { addr: "127.0.0.3", mask: "255.0.0.0", prefixLength: 8, port: 20001 },
    mservers: [],
    pservers: spec.servers.map((s, i) => managedServer(s, i)),
    pdus: (spec.pdus ?? []).map(pduSettings),
    snmp: spec.pdus?.length ? { community: "private" } : null,
    hispeed: { enabled: hispeed !== null, resetTimeMs: hispeed },
  };
  counter += 1;
  return Object.freeze({
    ...config,
    digest: `test-${counter}`,
    hardResetDelayMs: hispeed ?? 5000,
  }) as ResolvedConfig;
}
