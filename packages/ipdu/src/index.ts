// @haconn/ipdu: PowerController over SNMP v2c PDU outlets (IBM_PDU), device profiles as data.
export { IBM_PDU_FIRMWARE_OID, PDU_DEFAULTS, PduClient } from "./pdu-client.js";
export type { OutletStateEntry, PduClientOptions, PduDetected, SetOutletOptions } from "./pdu-client.js";
export {
  findPduProfile,
  IBM_PDU_ENTERPRISE,
  PDU_PROFILES,
  parseFirmwareVersion,
  profileMatchesFirmware,
  selectPduProfile,
} from "./profiles.js";
export type { FirmwareRange, FirmwareVersion, PduIdentity, PduProfile } from "./profiles.js";
export { outletResultsSummary, ServerOutletsController } from "./server-outlets.js";
export type { OutletResult, OutletSwitch, ServerOutletsOptions } from "./server-outlets.js";
