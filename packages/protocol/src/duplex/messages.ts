// The duplex protocol (0x02): the message union, its type table, encode and decode. HEARTBEAT
// travels alone in UDP datagrams; every other type travels on the TCP stream (stream.ts).
import {
  DX_COMMAND,
  DX_COMMAND_RESULT,
  DX_DELTA,
  DX_HEARTBEAT,
  DX_HELLO,
  DX_SNAPSHOT,
  DX_SYNC_ACK,
  HEADER_SIZE,
  MAX_STREAM_BODY,
  PROTOCOL_DUPLEX,
  T_UNSUPPORTED_VERSION,
  TRAILER_SIZE,
} from "../constants.js";
import type { BodyCodec } from "../fields.js";
import {
  type DecodeOptions,
  decodeFrame,
  type EncodeOptions,
  encodeFrame,
  type Message,
  type TypeEntry,
} from "../frame.js";
import type { DecodeResult } from "../result.js";
import { type UnsupportedVersionBody, unsupportedVersionCodec } from "../unsupported-version.js";
import { type CommandBody, type CommandResultBody, commandCodec, commandResultCodec } from "./command.js";
import { type HeartbeatBody, type HelloBody, heartbeatCodec, helloCodec } from "./heartbeat.js";
import {
  type DeltaBody,
  deltaCodec,
  type SnapshotBody,
  type SyncAckBody,
  snapshotCodec,
  syncAckCodec,
} from "./sync.js";

export interface DuplexBodies {
  heartbeat: HeartbeatBody;
  hello: HelloBody;
  snapshot: SnapshotBody;
  delta: DeltaBody;
  "sync-ack": SyncAckBody;
  command: CommandBody;
  "command-result": CommandResultBody;
  "unsupported-version": UnsupportedVersionBody;
}

export type DuplexType = keyof DuplexBodies;
export type DuplexMessage = { [K in DuplexType]: Message<K, DuplexBodies[K]> }[DuplexType];
export type DuplexMessageOf<K extends DuplexType> = Message<K, DuplexBodies[K]>;

/** Largest frame on the duplex TCP stream. */
export const MAX_STREAM_FRAME = HEADER_SIZE + MAX_STREAM_BODY + TRAILER_SIZE;

function entry<B>(code: number, codec: BodyCodec<B>): TypeEntry<B> {
  return { code, sender: "node", codec };
}

export const DUPLEX_TYPES: Readonly<{ [K in DuplexType]: TypeEntry<DuplexBodies[K]> }> = {
  heartbeat: entry(DX_HEARTBEAT, heartbeatCodec),
  hello: entry(DX_HELLO, helloCodec),
  snapshot: entry(DX_SNAPSHOT, snapshotCodec),
  delta: entry(DX_DELTA, deltaCodec),
  "sync-ack": entry(DX_SYNC_ACK, syncAckCodec),
  command: entry(DX_COMMAND, commandCodec),
  "command-result": entry(DX_COMMAND_RESULT, commandResultCodec),
  "unsupported-version": { code: T_UNSUPPORTED_VERSION, sender: "any", codec: unsupportedVersionCodec },
};

const BY_CODE = new Map(
  (Object.entries(DUPLEX_TYPES) as [DuplexType, TypeEntry<unknown>][]).map(([name, e]) => [
    e.code,
    { ...e, name },
  ]),
);

/** Encodes a duplex frame. Heartbeats are limited to a datagram, stream frames to MAX_STREAM_FRAME. */
export function encodeDuplex(message: DuplexMessage, options: EncodeOptions = {}): Uint8Array {
  const e = DUPLEX_TYPES[message.type] as TypeEntry<unknown>;
  const maxLength = options.maxLength ?? (message.type === "heartbeat" ? undefined : MAX_STREAM_FRAME);
  return encodeFrame(PROTOCOL_DUPLEX, e, message.header, message.body, { ...options, maxLength });
}

/** Decodes one duplex frame (a heartbeat datagram, or a frame cut from the stream). Never throws. */
export function decodeDuplex(bytes: Uint8Array, options: DecodeOptions): DecodeResult<DuplexMessage> {
  return decodeFrame<DuplexMessage>(bytes, PROTOCOL_DUPLEX, BY_CODE, options);
}
