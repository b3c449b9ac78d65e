// A typed facade over the parts of npm `net-snmp` (CommonJS, no bundled types) that the driver
// uses. A static import (so that the application bundles carry net-snmp inside them, issue #15)
// of a value declared `unknown` (net-snmp-module.d.ts), cast once to an explicit interface: the
// types stay local to this package and cannot clash with another package's view of the library.
/// <reference path="./net-snmp-module.d.ts" />
import netSnmpModule from "net-snmp";

export interface SnmpVarbind {
  oid: string;
  type: number;
  value: unknown;
}

export interface SnmpSessionOptions {
  port: number;
  retries: number;
  timeout: number;
  backoff?: number;
  transport?: "udp4" | "udp6";
  version: number;
  idBitsSize?: 16 | 32;
}

export type SnmpCallback = (error: Error | null, varbinds?: SnmpVarbind[]) => void;

export interface SnmpSession {
  get(oids: string[], callback: SnmpCallback): SnmpSession;
  set(varbinds: SnmpVarbind[], callback: SnmpCallback): SnmpSession;
  close(): SnmpSession;
  on(event: "error" | "close", listener: (...args: unknown[]) => void): SnmpSession;
}

export interface NetSnmp {
  createSession(target: string, community: string, options: SnmpSessionOptions): SnmpSession;
  isVarbindError(varbind: SnmpVarbind): boolean;
  Version2c: number;
  ObjectType: Readonly<Record<string, number>>;
  ErrorStatus: Readonly<Record<string, number>>;
  RequestTimedOutError: new (...args: never[]) => Error;
  RequestFailedError: new (...args: never[]) => Error & { status?: number };
  ResponseInvalidError: new (...args: never[]) => Error;
}

export const snmp = netSnmpModule as NetSnmp;

/** SNMP type tags used by the driver (RFC 3416 / net-snmp's ObjectType). */
export const SnmpType = {
  Integer: 2,
  OctetString: 4,
  OID: 6,
  NoSuchObject: 128,
  NoSuchInstance: 129,
  EndOfMibView: 130,
} as const;

/** SNMPv2 error-status values (RFC 3416 section 3). */
export const SnmpErrorStatus = {
  NoError: 0,
  TooBig: 1,
  NoSuchName: 2,
  BadValue: 3,
  ReadOnly: 4,
  GeneralError: 5,
  NoAccess: 6,
  WrongType: 7,
  WrongLength: 8,
  WrongEncoding: 9,
  WrongValue: 10,
  NoCreation: 11,
  InconsistentValue: 12,
  ResourceUnavailable: 13,
  CommitFailed: 14,
  UndoFailed: 15,
  AuthorizationError: 16,
  NotWritable: 17,
  InconsistentName: 18,
} as const;
