// Every number of the wire protocols (docs/protocol.md is the specification; keep both in step).

/** First two bytes of every haconn frame: ASCII "HC". */
export const MAGIC = 0x4843;
export const VERSION = 1;
/** Versions this implementation reads; an UNSUPPORTED-VERSION reply carries this range. */
export const MIN_VERSION = 1;
export const MAX_VERSION = 1;

export const PROTOCOL_RESET_PATH = 0x01;
export const PROTOCOL_DUPLEX = 0x02;

/** Fixed header: magic(2) protocol(1) version(1) type(1) flags(1) attempt(2) bodyLength(4) requestId(4) senderId(4) timestamp(8). */
export const HEADER_SIZE = 28;
/** Offsets inside the header. */
export const OFF_MAGIC = 0;
export const OFF_PROTOCOL = 2;
export const OFF_VERSION = 3;
export const OFF_TYPE = 4;
export const OFF_FLAGS = 5;
export const OFF_ATTEMPT = 6;
export const OFF_BODY_LENGTH = 8;
export const OFF_REQUEST_ID = 12;
export const OFF_SENDER_ID = 16;
export const OFF_TIMESTAMP = 20;

/** Flag bit 0: an authentication trailer follows the body. Bits 2-7 are reserved and must be 0. */
export const FLAG_AUTH = 0x01;
/**
 * Flag bit 1: FENCE, defined only for RESET (reset path v1, type 0x03): the reset starts even when
 * the target's status is dump or poff (docs/protocol.md §4.3). In any other type it is reserved.
 */
export const FLAG_FENCE = 0x02;
/** Bits every frame type may carry; a type may define more (TypeEntry.flags). */
export const FLAGS_KNOWN = FLAG_AUTH;

/** Trailer: keyId(4) nonce(8) HMAC-SHA256 tag(32). */
export const KEY_ID_SIZE = 4;
export const NONCE_SIZE = 8;
export const TAG_SIZE = 32;
export const TRAILER_SIZE = KEY_ID_SIZE + NONCE_SIZE + TAG_SIZE;

/** Largest UDP datagram (header + body + trailer); fits the IPv4 minimum reassembly size (576 - 28). */
export const MAX_DATAGRAM = 548;
export const MAX_DATAGRAM_BODY = MAX_DATAGRAM - HEADER_SIZE - TRAILER_SIZE;
/** Largest body of a frame on the duplex TCP stream. */
export const MAX_STREAM_BODY = 4 * 1024 * 1024;

/** Timestamps are milliseconds since the Unix epoch, at most 2^53 - 1 (JavaScript safe integer). */
export const MAX_U53 = Number.MAX_SAFE_INTEGER;
export const MAX_U32 = 0xffff_ffff;

/** Authentication defaults. */
export const DEFAULT_AUTH_WINDOW_MS = 30_000;
export const DEFAULT_REPLAY_CACHE_SIZE = 65_536;
export const KEY_SECRET_SIZE = 32;

/** Names: system name, VM name, node name. */
export const MAX_NAME_LENGTH = 31;

/** Default ports. The reset-path and duplex ports have no default: they are configured (5001-65535). */
export const FENCE_KDUMP_PORT = 7410;
export const FENCE_KDUMP_MAGIC = 0x1b302a40;
export const FENCE_KDUMP_VERSION = 1;
export const FENCE_KDUMP_SIZE = 8;

/** Reset-path message types (protocol 0x01). */
export const RP_CHECK = 0x01;
export const RP_CHECK_REPLY = 0x02;
export const RP_RESET = 0x03;
export const RP_RESET_ACCEPTED = 0x04;
export const RP_RESET_RESULT = 0x05;
export const RP_RESULT_ACK = 0x06;
export const RP_DUMP_NOTICE = 0x07;
export const RP_DUMP_ACK = 0x08;
export const RP_ATTENTION = 0x09;
export const RP_ATTENTION_ACK = 0x0a;
/** Type 0x7F is UNSUPPORTED-VERSION in both protocols. */
export const T_UNSUPPORTED_VERSION = 0x7f;

/** Duplex message types (protocol 0x02). */
export const DX_HEARTBEAT = 0x01;
export const DX_HELLO = 0x10;
export const DX_SNAPSHOT = 0x11;
export const DX_DELTA = 0x12;
export const DX_SYNC_ACK = 0x13;
export const DX_COMMAND = 0x20;
export const DX_COMMAND_RESULT = 0x21;

/** Retransmission defaults (docs/protocol.md §7). */
export const RESET_RETRANSMIT_MS = [500, 1000, 2000, 2000, 2000, 2000, 2000, 2000, 2000] as const;
export const RESET_MAX_SENDS = 10;
export const REPEAT_INTERVAL_MS = 1000;
export const REPEAT_MAX_SENDS = 10;
export const DEDUP_RETENTION_MS = 600_000;
