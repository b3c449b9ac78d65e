// The esxi driver's error catalog (ARCHITECTURE example 6). Every failure is a shared
// DriverError so the engine escalates without knowing the driver; the esxi-specific facts
// ride in `details` (never a secret).
import { DriverError, type DriverErrorCode, isDriverError } from "@haconn/config";

/** Why an ESXi call failed, beyond the shared code (in `details.reason`). */
export type EsxiFailureReason =
  | "hostkey-mismatch" // the host presented another key than the pinned/recorded one
  | "auth-refused" // password / keyboard-interactive refused
  | "connect-failed" // TCP or ssh handshake failed
  | "connection-lost" // the connection closed while the command ran (outcome unknown)
  | "backoff" // a recent connect failed; not retried yet
  | "command-timeout" // the command did not finish before its deadline
  | "command-failed" // non-zero exit status
  | "vim-fault" // vim-cmd printed a fault object
  | "vm-not-found" // no registered VM with that name
  | "vm-ambiguous" // several VMs carry that name: refuse rather than guess
  | "vm-not-running" // NMI asked for a guest that has no running world
  | "bad-output" // output we cannot parse
  | "closed"; // the EsxiHost was closed

export function esxiError(
  code: DriverErrorCode,
  reason: EsxiFailureReason,
  message: string,
  details: Record<string, unknown> = {},
  cause?: unknown,
): DriverError {
  return new DriverError(code, message, {
    details: { reason, ...details },
    ...(cause === undefined ? {} : { cause }),
  });
}

/** The host key differs from the pinned or first-seen one; `details` name both fingerprints. */
export function hostKeyMismatch(hostId: string, expected: string, actual: string): DriverError {
  return esxiError(
    "DEVICE_AUTH",
    "hostkey-mismatch",
    `host key of ${hostId} changed: expected ${expected}, got ${actual}; refusing to connect ` +
      "(if the host was reinstalled, pin the new fingerprint with hostkey=)",
    { hostId, expected, actual },
  );
}

export function isHostKeyMismatch(value: unknown): value is DriverError {
  return isDriverError(value, "DEVICE_AUTH") && value.details?.reason === "hostkey-mismatch";
}

/** The `details.reason` of an esxi DriverError, or undefined for anything else. */
export function esxiReason(value: unknown): EsxiFailureReason | undefined {
  if (!isDriverError(value)) return undefined;
  const reason = value.details?.reason;
  return typeof reason === "string" ? (reason as EsxiFailureReason) : undefined;
}
