// The ipmitool command line: one argv array, the password never in it (`-E` reads
// IPMI_PASSWORD from the environment), and a masked rendering for logs.
import type { BmcSettings } from "@haconn/config";

/**
 * Defaults chosen for HPE iLO 5/6 and RMC-class BMCs (and measured against ipmi_sim):
 *
 * - `-N 1 -R 2` (lanplus wait 1 s, 2 retries): a BMC on the management LAN answers an IPMI
 *   request in milliseconds (iLO 5/6 typically 5-50 ms, up to about a second while busy with
 *   POST or virtual media), so 1 s before a retransmission loses nothing; two retries ride out
 *   a lost datagram in each RMCP+ step. ipmitool then gives up on a BMC that never answers in
 *   ~6 s (measured: `-N 1 -R 1` 2 s, `-N 1 -R 2` 6 s, `-N 2 -R 2` 10 s; ipmitool's own
 *   defaults take ~20 s).
 * - per-call deadline 10 s: above ipmitool's own ~6 s give-up, so ipmitool normally reports
 *   why it failed (unreachable, refused) and the deadline (process-group kill, DEVICE_TIMEOUT)
 *   only catches a hung tool or a BMC that answers but stalls. Callers pass a shorter
 *   `timeoutMs` per call when their budget is smaller (the reset engine's hispeed time).
 * - privilege `-L OPERATOR`: the least that chassis control needs (IPMI 2.0 table G-1), so an
 *   operator-only account works and an administrator account is not required.
 * - cipher suite from the configuration (default 17: HMAC-SHA256/AES-CBC-128, what iLO 5/6
 *   and current RMC firmware accept with "IPMI/DCMI over LAN" enabled; 3 for older BMCs and
 *   ipmi_sim). Never downgraded: a BMC that refuses the suite fails with DEVICE_AUTH naming it.
 */
export const IPMITOOL_DEFAULTS = {
  timeoutMs: 10_000,
  lanTimeoutSec: 1,
  retries: 2,
  privilege: "OPERATOR",
  ipmitoolPath: "ipmitool",
} as const;

export interface IpmitoolOptions {
  /** Per-call deadline in ms (process group killed at the deadline). Default 10 000. */
  timeoutMs?: number;
  /** ipmitool `-R`: retransmissions per request. Default 2. */
  retries?: number;
  /** ipmitool `-N`: seconds to wait before a retransmission. Default 1. */
  lanTimeoutSec?: number;
  /** ipmitool `-L`. Default OPERATOR. */
  privilege?: "USER" | "OPERATOR" | "ADMINISTRATOR";
  /** Path of the ipmitool binary. Default `ipmitool` (looked up in PATH). */
  ipmitoolPath?: string;
  /** Extra environment for ipmitool (e.g. PATH). IPMI_PASSWORD is always set from the settings. */
  env?: Readonly<Record<string, string>>;
}

export type ResolvedIpmitoolOptions = Required<Omit<IpmitoolOptions, "env">> & {
  env: Readonly<Record<string, string>>;
};

export function resolveIpmitoolOptions(options: IpmitoolOptions = {}): ResolvedIpmitoolOptions {
  const resolved = {
    timeoutMs: options.timeoutMs ?? IPMITOOL_DEFAULTS.timeoutMs,
    retries: options.retries ?? IPMITOOL_DEFAULTS.retries,
    lanTimeoutSec: options.lanTimeoutSec ?? IPMITOOL_DEFAULTS.lanTimeoutSec,
    privilege: options.privilege ?? IPMITOOL_DEFAULTS.privilege,
    ipmitoolPath: options.ipmitoolPath ?? IPMITOOL_DEFAULTS.ipmitoolPath,
    env: options.env ?? {},
  };
  if (!(resolved.timeoutMs > 0)) throw new RangeError(`timeoutMs must be > 0, got ${resolved.timeoutMs}`);
  // ipmitool treats -R 0 as "use the default (4)", so the smallest honest value is 1.
  if (!Number.isInteger(resolved.retries) || resolved.retries < 1 || resolved.retries > 10)
    throw new RangeError(`retries must be an integer 1-10, got ${resolved.retries}`);
  if (!Number.isInteger(resolved.lanTimeoutSec) || resolved.lanTimeoutSec < 1 || resolved.lanTimeoutSec > 60)
    throw new RangeError(`lanTimeoutSec must be an integer 1-60, got ${resolved.lanTimeoutSec}`);
  return resolved;
}

/** Connection arguments shared by one-shot calls and the shell session. No secret in them. */
export function connectionArgs(settings: BmcSettings, options: ResolvedIpmitoolOptions): string[] {
  return [
    "-I",
    "lanplus",
    "-H",
    settings.addr,
    "-p",
    String(settings.port),
    "-U",
    settings.account,
    "-E",
    "-C",
    String(settings.cipher),
    "-L",
    options.privilege,
    "-N",
    String(options.lanTimeoutSec),
    "-R",
    String(options.retries),
    // One -v: ipmitool then names why a session failed ("RAKP 2 HMAC is invalid", "Get Auth
    // Capabilities error"), which the plain output folds into one "Unable to establish" line.
    "-v",
  ];
}

/** The environment ipmitool runs with: only what it needs, the password among it. */
export function ipmitoolEnv(
  settings: BmcSettings,
  options: ResolvedIpmitoolOptions,
  basePath: string | undefined,
): Record<string, string> {
  return {
    PATH: basePath ?? "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
    LC_ALL: "C",
    ...options.env,
    IPMI_PASSWORD: settings.password,
  };
}

const quote = (arg: string): string =>
  /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;

/** A printable command line for logs: the argv as run, plus where the password comes from. */
export function renderCommandLine(file: string, args: readonly string[]): string {
  return `${[file, ...args].map(quote).join(" ")} (password: IPMI_PASSWORD=********)`;
}

/** `bmc 127.0.0.1:623 user=admin cipher=17`: printable, never the password. */
export function describeBmc(settings: BmcSettings): string {
  return `bmc ${settings.addr}:${settings.port} user=${settings.account} cipher=${settings.cipher}`;
}
