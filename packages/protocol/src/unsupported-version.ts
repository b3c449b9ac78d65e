// UNSUPPORTED-VERSION (type 0x7F in both protocols): the answer to a frame of another version.
import { HEADER_SIZE, MAX_VERSION, MIN_VERSION, T_UNSUPPORTED_VERSION, VERSION } from "./constants.js";
import { type BodyCodec, checkU8, firstError, short } from "./fields.js";
import { encodeFrame, peekHeader } from "./frame.js";

export interface UnsupportedVersionBody {
  minVersion: number;
  maxVersion: number;
}

// UNSUPPORTED-VERSION body (requestId echoes the offending frame; the header is always version 1):
//  off size field
//    0    1 minVersion  lowest version the responder reads (1..255)
//    1    1 maxVersion  highest version the responder reads (minVersion..255)
export const unsupportedVersionCodec: BodyCodec<UnsupportedVersionBody> = {
  name: "UNSUPPORTED-VERSION",
  validate: (b) =>
    firstError(
      checkU8(b.minVersion, "minVersion", 1),
      checkU8(b.maxVersion, "maxVersion", 1),
      b.maxVersion >= b.minVersion ? undefined : "maxVersion < minVersion",
    ),
  write(w, b) {
    w.u8(b.minVersion).u8(b.maxVersion);
  },
  read(r) {
    const minVersion = r.u8();
    const maxVersion = r.u8();
    if (minVersion === undefined || maxVersion === undefined) return short("UNSUPPORTED-VERSION");
    return { minVersion, maxVersion };
  },
};

/** Size of an unauthenticated UNSUPPORTED-VERSION frame. */
export const UNSUPPORTED_VERSION_SIZE = HEADER_SIZE + 2;

/**
 * The reply a reset-path receiver sends to a frame of an unknown version, or undefined when none
 * is due: not a haconn frame, a known version, an UNSUPPORTED-VERSION itself, or a request
 * shorter than the reply (the reply never amplifies). Unsigned: the other side cannot verify a
 * version it does not speak. The caller rate-limits.
 */
export function unsupportedVersionReply(
  request: Uint8Array,
  protocol: number,
  now: number,
): Uint8Array | undefined {
  const h = peekHeader(request);
  if (!h || h.protocol !== protocol || h.version === VERSION) return undefined;
  if (h.type === T_UNSUPPORTED_VERSION || request.length < UNSUPPORTED_VERSION_SIZE) return undefined;
  return encodeFrame(
    protocol,
    { code: T_UNSUPPORTED_VERSION, sender: "any", codec: unsupportedVersionCodec },
    { requestId: h.requestId, senderId: 0, timestampMs: Math.max(0, Math.floor(now)), attempt: 0 },
    { minVersion: MIN_VERSION, maxVersion: MAX_VERSION },
  );
}
