// Test helpers for packages that consume the configuration: a valid sample configuration on
// loopback addresses (nothing in it points off the machine).
import {
  type BmcSettings,
  DEFAULT_BMC_PORT,
  DEFAULT_SNMP_PORT,
  emptyConfig,
  type HaconnConfig,
  type ManagedServer,
  type ManagementServer,
  pduKey,
} from "../types.js";

export interface SampleOptions {
  /** Managed servers PSERVER1..n (default 2, at most 32). */
  pservers?: number;
  /** PDUs 127.0.3.1..n (default 2). Each managed server i gets outlet i of the first PDU when ipdusd. */
  pdus?: number;
  /** iPDU control on every server, with timeout 5 s and recoverytime 10 s (default false). */
  ipdusd?: boolean;
  /** IPMI cipher suite of every BMC (default 3, what ipmi_sim speaks). */
  cipher?: number;
  /** hispeed resettime in ms, or null for off (default null). */
  hispeedMs?: number | null;
}

export const SAMPLE_BMC_PASSWORD = "Passw0rd!";
export const SAMPLE_COMMUNITY = "private";

export function sampleBmc(addr: string, port = DEFAULT_BMC_PORT, cipher = 3): BmcSettings {
  return { addr, port, account: "admin", password: SAMPLE_BMC_PASSWORD, cipher };
}

/** A valid configuration (validateConfig accepts it) on 127.0.0.0/8 addresses. */
export function sampleConfig(options: SampleOptions = {}): HaconnConfig {
  const { pservers = 2, pdus = 2, ipdusd = false, cipher = 3, hispeedMs = null } = options;
  const config = emptyConfig();
  config.resetpath = { addr: "127.0.0.1", mask: "255.0.0.0", prefixLength: 8, port: 20001 };
  config.snmp = { community: SAMPLE_COMMUNITY };
  config.hispeed = { enabled: hispeedMs !== null, resetTimeMs: hispeedMs };
  for (let i = 1; i <= pdus; i++) {
    const addr = `127.0.3.${i}`;
    config.pdus.push({
      key: pduKey(addr, DEFAULT_SNMP_PORT),
      addr,
      port: DEFAULT_SNMP_PORT,
      model: "IBM_PDU",
      profile: null,
    });
  }
  const firstPdu = config.pdus[0]?.key;
  config.mservers = [1, 2].map(
    (i): ManagementServer => ({
      name: `HACON${i}`,
      bmc: sampleBmc(`127.0.1.${i}`, DEFAULT_BMC_PORT, cipher),
      ipdusd,
      timeoutSec: ipdusd ? 5 : null,
      mlan: { addr: `127.0.2.${i}`, port: 20002 },
      outlets: ipdusd && firstPdu && pdus > 1 ? [{ pdu: config.pdus[1]!.key, outlet: i }] : [],
    }),
  );
  for (let i = 1; i <= pservers; i++) {
    const server: ManagedServer = {
      name: `PSERVER${i}`,
      bmc: sampleBmc(`127.0.1.${10 + i}`, DEFAULT_BMC_PORT, cipher),
      cluster: false,
      ipdusd,
      timeoutSec: ipdusd ? 5 : null,
      recoveryTimeSec: ipdusd ? 10 : null,
      vserver: null,
      outlets: ipdusd && firstPdu && i <= 12 ? [{ pdu: firstPdu, outlet: i }] : [],
    };
    config.pservers.push(server);
  }
  return config;
}
