export * from "./errors.js";
export * from "./power.js";
export * from "./types.js";
export { ConfigError, type ConfigErrorCode, isConfigError, type ValidationIssue } from "./errors-catalog.js";
export { canonicalJson, configDigest } from "./canonical.js";
export {
  type AddressWithPort,
  formatAddress,
  IPV4_PATTERN,
  isIpv4,
  maskToPrefix,
  parseAddressWithPort,
  prefixToMask,
} from "./ipv4.js";
export { MIGRATIONS, migrateConfig } from "./migrate.js";
export { resolveConfig } from "./resolve.js";
export {
  ADDRESS_KINDS,
  type AddressKind,
  type AddressUse,
  addressesClash,
  addressUses,
  MAY_SHARE_ADDRESS,
  mayShare,
  unusableAddress,
  unusableOnSubnet,
} from "./address-rules.js";
export { describeIssue, fieldLabel, objectLabel, placeLabel } from "./labels.js";
export { PDU_PROFILE_NAMES } from "./rules.js";
export { ACCOUNT_PATTERN, configSchema, HOST_KEY_PATTERN, NAME_PATTERN, PROFILE_PATTERN } from "./schema.js";
export { FIELD_RULES, type ValidationResult, validateConfig } from "./validate.js";
export {
  CONFIG_FILE_NAME,
  ConfigStore,
  type ConfigStoreOptions,
  type UpdateResult,
} from "./store/config-store.js";
export type { LockOptions } from "./store/lock.js";
export { createFileAtomic, directoryOwner, type FileOwner, writeFileAtomic } from "./store/atomic-write.js";
