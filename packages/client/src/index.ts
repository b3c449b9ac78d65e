// @haconn/client: the HA monitor / fencing-client side of the haconn reset path
// (docs/protocol.md): CHECK, RESET with its result, DUMP-NOTICE, ATTENTION, signed frames.
export { ResetPathChannel, type ResetPathChannelOptions, type MessageHandler } from "./channel.js";
export {
  type AttentionInfo,
  type AttentionListener,
  type CheckOutcome,
  type ClientOptions,
  DEFAULT_CHECK_TIMEOUT_MS,
  HaconnClient,
  type OpenClientOptions,
  type Registration,
} from "./client.js";
export { type Clock, clockDelay, systemClock, type TimerHandle } from "./clock.js";
export {
  DEFAULT_DUMP_NOTICE_DURATION_MS,
  DUMP_NOTICE_INTERVAL_MS,
  type DumpNotice,
  type DumpNoticeOptions,
  type DumpNoticeOutcome,
} from "./dump-notice.js";
export {
  checkEndpoint,
  checkName,
  checkSubsystem,
  type Endpoint,
  formatEndpoint,
  parseEndpoint,
} from "./endpoint.js";
export { ClientError, type ClientErrorCode, isClientError } from "./errors.js";
export type { Exchange, Subscription } from "./exchange.js";
export {
  DEFAULT_KEY_FILE,
  type KeyFileFacts,
  type KeyFileOptions,
  keyFileProblem,
  loadKeyFile,
  MAX_KEY_FILE_BYTES,
  parseKeyText,
} from "./key-file.js";
export { Mailbox } from "./mailbox.js";
export { RecentIds } from "./recent-ids.js";
export {
  DEFAULT_RESET_TIMEOUT_MS,
  describeResult,
  isTargetDown,
  RESET_SILENCE_MS,
  type ResetOptions,
  type ResetOutcome,
  type ResetTarget,
  resetRetransmitDelay,
} from "./reset.js";
export { type DatagramSocket, openUdpSocket } from "./udp-socket.js";
// The protocol's types a caller of this API meets (so it needs no second import).
export type {
  AttentionBody,
  AttentionState,
  CheckReplyBody,
  DumpAckBody,
  DumpAckStatus,
  KeyRing,
  ResetAcceptedBody,
  ResetPhase,
  ResetResultBody,
  ResetResultCode,
  ResetResultDetail,
  SystemKind,
} from "@haconn/protocol";
