// The fence_kdump notice (fence-agents' fence_kdump_send), accepted as a DUMP notice:
//
//  off size field
//    0    4 magic    0x1B302A40
//    4    4 version  1
//
// Both fields are in the SENDER's host byte order (fence_kdump_send fills a C struct), so an
// x86 sender writes 40 2A 30 1B 01 00 00 00. Exactly 8 bytes; no identity: the connector maps it
// to a registered system by the datagram's source address. Default port UDP 7410.
import { FENCE_KDUMP_MAGIC, FENCE_KDUMP_SIZE, FENCE_KDUMP_VERSION } from "./constants.js";
import { type DecodeResult, drop, ok } from "./result.js";

export type ByteOrder = "little-endian" | "big-endian";

export interface FenceKdumpNotice {
  byteOrder: ByteOrder;
  version: number;
}

export function encodeFenceKdump(byteOrder: ByteOrder = "little-endian"): Uint8Array {
  const out = new Uint8Array(FENCE_KDUMP_SIZE);
  const view = new DataView(out.buffer);
  const le = byteOrder === "little-endian";
  view.setUint32(0, FENCE_KDUMP_MAGIC, le);
  view.setUint32(4, FENCE_KDUMP_VERSION, le);
  return out;
}

/** Decodes a fence_kdump datagram. Never throws. */
export function decodeFenceKdump(bytes: Uint8Array): DecodeResult<FenceKdumpNotice> {
  if (bytes.length < FENCE_KDUMP_SIZE) return drop("short", `${bytes.length} bytes < 8`);
  if (bytes.length > FENCE_KDUMP_SIZE) return drop("trailing-bytes", `${bytes.length} bytes > 8`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let byteOrder: ByteOrder;
  if (view.getUint32(0, true) === FENCE_KDUMP_MAGIC) byteOrder = "little-endian";
  else if (view.getUint32(0, false) === FENCE_KDUMP_MAGIC) byteOrder = "big-endian";
  else return drop("bad-magic", "not a fence_kdump notice");
  const version = view.getUint32(4, byteOrder === "little-endian");
  if (version !== FENCE_KDUMP_VERSION) return drop("unsupported-version", `fence_kdump version ${version}`);
  return ok({ byteOrder, version });
}
