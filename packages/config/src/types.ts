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
}

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
}

export type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** What `resolveConfig()` returns: the validated configuration, frozen, plus derived values. */
export type ResolvedConfig = DeepReadonly<HaconnConfig> & {
  /** Content digest (hex SHA-256 of the canonical form); the pair compares it. */
  readonly digest: string;
  /** Hardware-reset issue time for physical servers: hispeed resettime, or 5000 when off. */
  readonly hardResetDelayMs: number;
};

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
