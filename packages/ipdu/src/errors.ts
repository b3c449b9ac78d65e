// SNMP failures → DriverError codes. The engine decides escalation on the code alone.
//
// A v2c agent does not answer a request whose community it does not accept (RFC 1901/3584: the
// message is dropped, at most an authenticationFailure trap goes elsewhere). A wrong community
// therefore looks exactly like a dead PDU: DEVICE_TIMEOUT, and the message says to check both.
import { DriverError } from "@haconn/config";
import { SnmpErrorStatus, type SnmpVarbind, SnmpType, snmp } from "./net-snmp.js";

const UNREACHABLE_CODES = new Set([
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ECONNREFUSED",
  "EADDRNOTAVAIL",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTDOWN",
  "ENETDOWN",
]);

const statusName = (status: number): string =>
  Object.entries(SnmpErrorStatus).find(([, v]) => v === status)?.[0] ?? `status ${status}`;

export function timeoutError(target: string, ms: number, what: string): DriverError {
  return new DriverError(
    "DEVICE_TIMEOUT",
    `${target}: no SNMP answer to ${what} within ${ms} ms (PDU down, unreachable, or community refused — a v2c agent does not answer a wrong community)`,
    { details: { target, timeoutMs: ms } },
  );
}

/** Maps an error from a net-snmp callback to a DriverError. Never includes the community. */
export function classifySnmpError(error: unknown, target: string, what: string, ms: number): DriverError {
  if (error instanceof DriverError) return error;
  if (error instanceof snmp.RequestTimedOutError) return timeoutError(target, ms, what);
  if (error instanceof snmp.RequestFailedError) {
    const status = error.status ?? -1;
    const name = statusName(status);
    const notFound = status === SnmpErrorStatus.NoSuchName || status === SnmpErrorStatus.NoCreation;
    return new DriverError(
      notFound ? "DEVICE_NOT_FOUND" : "DEVICE_REJECTED",
      `${target}: PDU refused ${what}: ${name}`,
      { cause: error, details: { target, errorStatus: status, errorName: name } },
    );
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && UNREACHABLE_CODES.has(code)) {
    return new DriverError("DEVICE_UNREACHABLE", `${target}: ${what} could not be sent: ${code}`, {
      cause: error,
      details: { target, errno: code },
    });
  }
  if (error instanceof snmp.ResponseInvalidError) {
    return new DriverError("DEVICE_BAD_OUTPUT", `${target}: invalid SNMP response to ${what}`, {
      cause: error,
      details: { target },
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new DriverError("DEVICE_UNREACHABLE", `${target}: ${what} failed: ${message}`, {
    cause: error,
    details: { target },
  });
}

/** noSuchObject / noSuchInstance / endOfMibView in a response varbind → DEVICE_NOT_FOUND. */
export function varbindError(varbind: SnmpVarbind, target: string, what: string): DriverError | undefined {
  if (!snmp.isVarbindError(varbind)) return undefined;
  const kind =
    varbind.type === SnmpType.NoSuchObject
      ? "noSuchObject"
      : varbind.type === SnmpType.NoSuchInstance
        ? "noSuchInstance"
        : "endOfMibView";
  return new DriverError("DEVICE_NOT_FOUND", `${target}: ${what}: ${kind} at ${varbind.oid}`, {
    details: { target, oid: varbind.oid, kind },
  });
}

export function badOutput(target: string, what: string, varbind: SnmpVarbind): DriverError {
  return new DriverError(
    "DEVICE_BAD_OUTPUT",
    `${target}: unexpected ${what} value at ${varbind.oid}: type ${varbind.type}`,
    { details: { target, oid: varbind.oid, type: varbind.type } },
  );
}
