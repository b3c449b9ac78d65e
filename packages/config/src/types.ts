// The configuration model. This shape is the contract between config (which validates, stores
// and resolves it), the CLI (which edits it) and the daemon (which runs on the resolved form).
// Field ranges are the manual's (shared/spec/manual-digest.md §5-6); the schema enforces them.

export const SCHEMA_VERSION = 1 as const;

/** Default ports for device addresses written without `:<port>` (an extension of the manual's syntax). */
export const DEFAULT_BMC_PORT = 623;
export const DEFAULT_SNMP_PORT = 161;
export const DEFAULT_CIPHER_SUITE = 17;
/** Hardware-reset issue time when hispeed is off (manual §3.3). */
export const DEFAULT_HARD_RESET_DELAY_MS = 5000;

export interface BmcSettings {
  /** IPv4 address of the iLO/RMC. */
  addr: string;
  /** UDP port, default 623. */
  port: number;
  /** 1-16 characters of the (*1) set. */
  account: string;
  /** 8-20 characters of the (*1) set. Secret: never logged, never shown. */
  password: string;
  /** IPMI cipher suite (`ipmitool -C`), default 17; 3 for older BMCs and ipmi_sim. */
  cipher: number;
}

export interface ResetPathSettings {
  /** The reset-path virtual IP. */
  addr: string;
  /** Dotted form, e.g. 255.255.255.0 (CIDR input is converted). */
  mask: string;
  /** Same mask as a prefix length, e.g. 24. */
  prefixLength: number;
  /** UDP port 5001-65535 (HA Monitor's "management server port number"). */
  port: number;
  /**
   * The operator's explicit insecure switch (`haconnsetup resetpath insecure=on`): serve the reset
   * path without `resetpath.key`, unauthenticated. Absent or false: haconnd refuses to start
   * without the key. Ignored when the key exists (a key is always required then).
   */
  insecure?: boolean;
}

/** The fence_kdump listener (`haconnsetup kdump port=<port>`); absent or null: not listening. */
export interface KdumpSettings {
  /** UDP port (fence_kdump's default is 7410), different from the reset-path port. */
  port: number;
}

/** fence_kdump's default port, the one `haconnsetup kdump on` picks. */
export const DEFAULT_KDUMP_PORT = 7410;
/** At most this many allowed monitor source addresses per managed server. */
export const MAX_MONITOR_ADDRS = 16;

export interface OutletLink {
  /** Key of a registered PDU (see PduSettings.key). */
  pdu: string;
  /** Outlet ("concent") number, 1-12. */
  outlet: number;
}

export interface DuplexLanSettings {
  addr: string;
  /** 5001-65535 and different from the reset-path port. */
  port: number;
}

export interface ManagementServer {
  /** OS hostname, 1-31 alphanumerics. */
  name: string;
  bmc: BmcSettings;
  ipdusd: boolean;
  /** Hardware-reset acknowledgement timeout in seconds (5-60); required when ipdusd is on, else null. */
  timeoutSec: number | null;
  /** Duplex-LAN address and port (`haconnsetup mlan`); null until set. */
  mlan: DuplexLanSettings | null;
  /** At most 2. */
  outlets: OutletLink[];
}

export interface VirtualServerSettings {
  /** ESXi IPv4 address; null until set. */
  addr: string | null;
  /** ssh port 1-65535; null until set. */
  port: number | null;
  /** 1-39 characters of the (*1) set. */
  account: string | null;
  /** 1-38 characters of the (*1) set. Secret. */
  password: string | null;
  /** VMware=Enable|Disable: whether the connector resets this host's guests. */
  enabled: boolean;
  /** Pinned host key fingerprint `SHA256:<base64>` given by the operator, or null (trust on first use). */
  hostKey: string | null;
}

export interface ManagedServer {
  /** System name = HA Monitor partition name, 1-31 alphanumerics. */
  name: string;
  bmc: BmcSettings;
  /** Cluster management (simultaneous-reset prevention). */
  cluster: boolean;
  ipdusd: boolean;
  /** Hardware-reset acknowledgement timeout in seconds (5-60); required when ipdusd is on, else null. */
  timeoutSec: number | null;
  /** PDU power-restore wait in seconds: 0 (never) or 5-60; required when ipdusd is on, else null. */
  recoveryTimeSec: number | null;
  /** `haconnsetup vserver` settings, null when never set (shown as ----). */
  vserver: VirtualServerSettings | null;
  /** At most 4. */
  outlets: OutletLink[];
  /**
   * Allow-list of the source addresses this system's HA monitors (and its guests') may send
   * CHECK/RESET from (`haconnsetup hamonitor <name> allow=...`); absent or empty: any address.
   */
  monitorAddrs?: string[];
}

export interface PduSettings {
  /** Identity used by outlet links: `<ip>` when port is 161, else `<ip>:<port>`. */
  key: string;
  addr: string;
  port: number;
  /** Only IBM_PDU is supported. */
  model: "IBM_PDU";
  /** Operator-forced firmware profile name, or null to choose by the firmware version read. */
  profile: string | null;
}

export interface HispeedSettings {
  enabled: boolean;
  /** 1000-5000 in steps of 100 when enabled, else null. */
  resetTimeMs: number | null;
}

export interface HaconnConfig {
  schemaVersion: typeof SCHEMA_VERSION;
  resetpath: ResetPathSettings | null;
  /** Exactly two in a running pair; at most two. */
  mservers: ManagementServer[];
  /** At most 32. */
  pservers: ManagedServer[];
  /** At most 132. */
  pdus: PduSettings[];
  /** SNMP v2c community, 1-30 alphanumerics, common to all PDUs. Secret. */
  snmp: { community: string } | null;
  hispeed: HispeedSettings;
  /** fence_kdump listener; absent or null: off (the default). */
  kdump?: KdumpSettings | null;
}

export type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** The reset-path key file in the configuration directory (docs/protocol.md §8.3). */
export const RESET_PATH_KEY_FILE = "resetpath.key";
/** The duplex key file in the configuration directory. */
export const DUPLEX_KEY_FILE = "duplex.key";

/** Hard cap on the size of haconn.json: a bigger file is refused by the daemon and the CLI. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * What `resolveConfig()` returns: the validated configuration, frozen, plus derived values
 * (digest, hardResetDelayMs, kdumpPort, resetPathInsecure). Code that turns it back into the
 * stored form (reload/plan.ts plainConfig) must drop every derived key.
 */
export type ResolvedConfig = DeepReadonly<HaconnConfig> & {
  /** Content digest (hex SHA-256 of the canonical form); the pair compares it. */
  readonly digest: string;
  /** Hardware-reset issue time for physical servers: hispeed resettime, or 5000 when off. */
  readonly hardResetDelayMs: number;
  /**
   * The fence_kdump port to listen on, or null (listener off). Always set by resolveConfig();
   * optional only so that hand-built test configurations stay valid (absent = off).
   */
  readonly kdumpPort?: number | null;
  /** True when the operator set `resetpath insecure=on` (no key required). Absent = false. */
  readonly resetPathInsecure?: boolean;
};

/**
 * May a CHECK/RESET for `systemName` come from `addr`? True when the system has no allow-list
 * (or an empty one), or `addr` is on it; false for an unknown system with no entry. The reset-path
 * service calls this before any registration or reset.
 */
export function monitorSourceAllowed(
  config: {
    readonly pservers: readonly { readonly name: string; readonly monitorAddrs?: readonly string[] }[];
  },
  systemName: string,
  addr: string,
): boolean {
  const server = config.pservers.find((p) => p.name === systemName);
  const list = server?.monitorAddrs;
  if (!list || list.length === 0) return true;
  return list.includes(addr);
}

export function pduKey(addr: string, port: number): string {
  return port === DEFAULT_SNMP_PORT ? addr : `${addr}:${port}`;
}

export function emptyConfig(): HaconnConfig {
  return {
    schemaVersion: SCHEMA_VERSION,
    resetpath: null,
    mservers: [],
    pservers: [],
    pdus: [],
    snmp: null,
    hispeed: { enabled: false, resetTimeMs: null },
  };
}
