// The reset-path protocol (0x01): the message union, its type table, encode and decode.
import {
  PROTOCOL_RESET_PATH,
  RP_ATTENTION,
  RP_ATTENTION_ACK,
  RP_CHECK,
  RP_CHECK_REPLY,
  RP_DUMP_ACK,
  RP_DUMP_NOTICE,
  RP_RESET,
  RP_RESET_ACCEPTED,
  RP_RESET_RESULT,
  RP_RESULT_ACK,
  T_UNSUPPORTED_VERSION,
} from "../constants.js";
import type { BodyCodec } from "../fields.js";
import {
  type DecodeOptions,
  decodeFrame,
  type EncodeOptions,
  encodeFrame,
  type Message,
  type SenderKind,
  type TypeEntry,
} from "../frame.js";
import type { DecodeResult } from "../result.js";
import { type UnsupportedVersionBody, unsupportedVersionCodec } from "../unsupported-version.js";
import { type AttentionAckBody, type AttentionBody, attentionAckCodec, attentionCodec } from "./attention.js";
import { type CheckBody, type CheckReplyBody, checkCodec, checkReplyCodec } from "./check.js";
import { type DumpAckBody, type DumpNoticeBody, dumpAckCodec, dumpNoticeCodec } from "./dump.js";
import {
  type ResetAcceptedBody,
  type ResetBody,
  type ResetResultBody,
  type ResultAckBody,
  resetAcceptedCodec,
  resetCodec,
  resetFlags,
  resetResultCodec,
  resultAckCodec,
} from "./reset.js";

export interface ResetPathBodies {
  check: CheckBody;
  "check-reply": CheckReplyBody;
  reset: ResetBody;
  "reset-accepted": ResetAcceptedBody;
  "reset-result": ResetResultBody;
  "result-ack": ResultAckBody;
  "dump-notice": DumpNoticeBody;
  "dump-ack": DumpAckBody;
  attention: AttentionBody;
  "attention-ack": AttentionAckBody;
  "unsupported-version": UnsupportedVersionBody;
}

export type ResetPathType = keyof ResetPathBodies;

export type ResetPathMessage = { [K in ResetPathType]: Message<K, ResetPathBodies[K]> }[ResetPathType];

/** One message type of the reset path, narrowed by its name. */
export type ResetPathMessageOf<K extends ResetPathType> = Message<K, ResetPathBodies[K]>;

type Table = { [K in ResetPathType]: TypeEntry<ResetPathBodies[K]> };

function entry<B>(code: number, sender: SenderKind, codec: BodyCodec<B>): TypeEntry<B> {
  return { code, sender, codec };
}

export const RESET_PATH_TYPES: Readonly<Table> = {
  check: entry(RP_CHECK, "subsystem", checkCodec),
  "check-reply": entry(RP_CHECK_REPLY, "connector", checkReplyCodec),
  // Header flags bit 1 FENCE is defined for RESET only (docs/protocol.md §3.1, §4.3).
  reset: { ...entry(RP_RESET, "subsystem", resetCodec), flags: resetFlags },
  "reset-accepted": entry(RP_RESET_ACCEPTED, "connector", resetAcceptedCodec),
  "reset-result": entry(RP_RESET_RESULT, "connector", resetResultCodec),
  "result-ack": entry(RP_RESULT_ACK, "subsystem", resultAckCodec),
  "dump-notice": entry(RP_DUMP_NOTICE, "subsystem", dumpNoticeCodec),
  "dump-ack": entry(RP_DUMP_ACK, "connector", dumpAckCodec),
  attention: entry(RP_ATTENTION, "connector", attentionCodec),
  "attention-ack": entry(RP_ATTENTION_ACK, "subsystem", attentionAckCodec),
  // senderId 0 (docs/protocol.md §4): another value is `bad-field`, like any connector message.
  "unsupported-version": entry(T_UNSUPPORTED_VERSION, "connector", unsupportedVersionCodec),
};

const BY_CODE = new Map(
  (Object.entries(RESET_PATH_TYPES) as [ResetPathType, TypeEntry<unknown>][]).map(([name, e]) => [
    e.code,
    { ...e, name },
  ]),
);

/** Encodes one reset-path datagram; throws ProtocolError on a value outside the specification. */
export function encodeResetPath(message: ResetPathMessage, options?: EncodeOptions): Uint8Array {
  const e = RESET_PATH_TYPES[message.type] as TypeEntry<unknown>;
  return encodeFrame(PROTOCOL_RESET_PATH, e, message.header, message.body, options);
}

/** Decodes one reset-path datagram. Never throws. */
export function decodeResetPath(bytes: Uint8Array, options: DecodeOptions): DecodeResult<ResetPathMessage> {
  return decodeFrame<ResetPathMessage>(bytes, PROTOCOL_RESET_PATH, BY_CODE, options);
}
