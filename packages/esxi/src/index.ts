// @haconn/esxi — ESXi guests over ssh (ssh2): vim-cmd for state and power, vmdumper for NMI.
export { buildCommands, DEFAULT_COMMAND_PATHS, type EsxiCommandPaths, shellWord } from "./commands.js";
export { type EsxiFailureReason, esxiReason, hostKeyMismatch, isHostKeyMismatch } from "./errors.js";
export { EsxiGuestController, type EsxiGuestOptions } from "./esxi-guest.js";
export {
  EsxiHost,
  type EsxiHostEvent,
  type EsxiHostOptions,
  type EsxiHostStats,
  expectSuccess,
} from "./esxi-host.js";
export type { ExecResult } from "./exec-channel.js";
export {
  hostKeyFingerprint,
  isFingerprint,
  normalizeFingerprint,
  publicKeyLineFingerprint,
} from "./fingerprint.js";
export { FileHostKeyStore, type HostKeyStore, hostIdOf, MemoryHostKeyStore } from "./host-key-store.js";
export {
  OutputParseError,
  parseGetAllVms,
  parsePowerState,
  parseVimFault,
  type VimFault,
  type VmEntry,
  type VmPowerState,
} from "./parse-vim-cmd.js";
export {
  isNmiAcknowledged,
  parseEsxcliProcessList,
  parseVmdumperList,
  type RunningVm,
} from "./parse-world.js";
export { type EsxiHostExtras, esxiHostFromSettings } from "./settings.js";
