// IBM_PDU device profiles as data (ARCHITECTURE example 2, after fence-agents' fence_ipdu.py).
// A profile says which OIDs and values drive a given firmware; the driver reads
// ibmPduSoftwareVersion, picks the profile whose firmware range holds that version and refuses
// a version no profile claims, unless the operator names a profile (PduSettings.profile).
//
// ASSUMPTION, to be confirmed on real devices: the firmware ranges below. fence_ipdu was tested
// on OPDP_sIBM_v01.2_1 and uses outlet-table column 11 for the state; IBM-PDU-MIB (and firmware
// 1.3_3, reported to have shifted the columns) has ibmPduOutletState at column 13. We therefore
// map 1.2.x up to 1.3.2 to column 11 and 1.3.3 up to 1.x to column 13. Major version 2 and
// version strings we cannot parse are refused.
import { DriverError } from "@haconn/config";

/** IBM-PDU-MIB enterprise subtree. */
export const IBM_PDU_ENTERPRISE = "1.3.6.1.4.1.2.6.223";
export const SYS_DESCR_OID = "1.3.6.1.2.1.1.1.0";
export const SYS_OBJECT_ID_OID = "1.3.6.1.2.1.1.2.0";

export type FirmwareVersion = readonly [major: number, minor: number, build: number];

export interface FirmwareRange {
  /** Inclusive bounds over the parsed [major, minor, build]. */
  readonly min: FirmwareVersion;
  readonly max: FirmwareVersion;
}

export interface PduProfile {
  readonly name: string;
  readonly summary: string;
  /** sysObjectID.0 the device must report when the profile is chosen automatically. */
  readonly sysObjectId: string;
  readonly firmware: readonly FirmwareRange[];
  /** Scalar instance OIDs. */
  readonly firmwareOid: string;
  readonly outletCountOid: string;
  /** Column OIDs; the outlet number (1-based row index) is appended. */
  readonly outletNameColumn: string;
  readonly statusColumn: string;
  readonly controlColumn: string;
  /** Values read from the status column. */
  readonly stateOn: number;
  readonly stateOff: number;
  /** Values written to the control column. */
  readonly turnOn: number;
  readonly turnOff: number;
  /** False while the firmware mapping is an assumption not yet checked on a real device. */
  readonly confirmedOnDevice: boolean;
}

const OUTLET_ENTRY = `${IBM_PDU_ENTERPRISE}.8.2.2.1`;

const ibmCommon = {
  sysObjectId: IBM_PDU_ENTERPRISE,
  firmwareOid: `${IBM_PDU_ENTERPRISE}.7.3.0`,
  outletCountOid: `${IBM_PDU_ENTERPRISE}.8.2.1.0`,
  outletNameColumn: `${OUTLET_ENTRY}.2`,
  stateOn: 1,
  stateOff: 0,
  turnOn: 1,
  turnOff: 0,
  confirmedOnDevice: false,
} as const;

export const PDU_PROFILES: readonly PduProfile[] = Object.freeze<PduProfile[]>([
  Object.freeze<PduProfile>({
    ...ibmCommon,
    name: "ibm-col11",
    summary: "IBM iPDU firmware 1.2 to 1.3_2 (fence_ipdu's OPDP_sIBM_v01.2_1): state at column 11",
    firmware: [{ min: [1, 2, 0], max: [1, 3, 2] }],
    statusColumn: `${OUTLET_ENTRY}.11`,
    controlColumn: `${OUTLET_ENTRY}.11`,
  }),
  Object.freeze<PduProfile>({
    ...ibmCommon,
    name: "ibm-col13",
    summary: "IBM iPDU firmware 1.3_3 and later 1.x (IBM-PDU-MIB ibmPduOutletState): state at column 13",
    firmware: [{ min: [1, 3, 3], max: [1, 999, 9999] }],
    statusColumn: `${OUTLET_ENTRY}.13`,
    controlColumn: `${OUTLET_ENTRY}.13`,
  }),
]);

/**
 * Parses the trailing version of an ibmPduSoftwareVersion string: `OPDP_sIBM_v01.2_1`,
 * `v01_03_08`, `1.3_3`. Returns undefined for anything else.
 */
export function parseFirmwareVersion(text: string): FirmwareVersion | undefined {
  const m = /v?(\d{1,3})[._](\d{1,3})(?:[._](\d{1,5}))?\s*$/i.exec(text);
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

function compare(a: FirmwareVersion, b: FirmwareVersion): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

export function profileMatchesFirmware(profile: PduProfile, version: FirmwareVersion): boolean {
  return profile.firmware.some((r) => compare(version, r.min) >= 0 && compare(version, r.max) <= 0);
}

export function findPduProfile(
  name: string,
  table: readonly PduProfile[] = PDU_PROFILES,
): PduProfile | undefined {
  return table.find((p) => p.name === name);
}

export interface PduIdentity {
  readonly firmware: string;
  /** Dotted OID without a leading dot, or null when the device does not serve sysObjectID. */
  readonly sysObjectId: string | null;
}

/**
 * Chooses the profile for a device. A forced profile name wins (the device is still identified
 * for display); otherwise sysObjectID and firmware must match a profile. Refusals are
 * DEVICE_UNSUPPORTED errors naming what was read.
 */
export function selectPduProfile(
  identity: PduIdentity,
  forced: string | null,
  table: readonly PduProfile[] = PDU_PROFILES,
): PduProfile {
  const known = table.map((p) => p.name);
  if (forced !== null) {
    const profile = findPduProfile(forced, table);
    if (!profile) {
      throw new DriverError(
        "DEVICE_UNSUPPORTED",
        `unknown PDU profile "${forced}" (known: ${known.join(", ")})`,
        {
          details: { profile: forced, known },
        },
      );
    }
    return profile;
  }
  const details = { firmware: identity.firmware, sysObjectId: identity.sysObjectId, known };
  const version = parseFirmwareVersion(identity.firmware);
  const candidates = table.filter(
    (p) => identity.sysObjectId === p.sysObjectId && version && profileMatchesFirmware(p, version),
  );
  const chosen = candidates[0];
  if (!chosen) {
    const why =
      identity.sysObjectId === null
        ? "the device does not report sysObjectID"
        : !table.some((p) => p.sysObjectId === identity.sysObjectId)
          ? `sysObjectID ${identity.sysObjectId} is not an IBM iPDU`
          : `firmware "${identity.firmware}" matches no profile`;
    throw new DriverError(
      "DEVICE_UNSUPPORTED",
      `${why}; name a profile to force one (known: ${known.join(", ")})`,
      { details },
    );
  }
  return chosen;
}
