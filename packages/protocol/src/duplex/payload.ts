// The versioned, length-prefixed payload inside SNAPSHOT, DELTA, COMMAND and COMMAND-RESULT:
//
//  off size field
//    0    1 encoding  1 JSON (UTF-8 text of one JSON value), 2 octets (opaque bytes)
//    1    2 schema    version of the payload's content, 1..65535 (the state model evolves
//                     independently of the binary frame)
//    3    4 length    bytes of data
//    7    n data
import { Reader, type Writer } from "../cursor.js";
import { type BodyFail, badField, type Check, checkU16, checkInt, firstError, short } from "../fields.js";

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type Payload =
  | { encoding: "json"; schema: number; data: JsonValue }
  | { encoding: "octets"; schema: number; data: Uint8Array };

const ENCODING_JSON = 1;
const ENCODING_OCTETS = 2;
const utf8 = new TextEncoder();

export function checkPayload(p: Payload, field = "payload"): Check {
  if (typeof p !== "object" || p === null) return `${field} must be an object`;
  const schema = checkU16(p.schema, `${field}.schema`, 1);
  if (p.encoding === "json")
    return firstError(schema, p.data === undefined ? `${field}.data missing` : undefined);
  if (p.encoding === "octets") {
    return firstError(schema, p.data instanceof Uint8Array ? undefined : `${field}.data must be bytes`);
  }
  return `${field}.encoding must be json or octets`;
}

export function writePayload(w: Writer, p: Payload): void {
  const data = p.encoding === "json" ? utf8.encode(JSON.stringify(p.data)) : p.data;
  w.u8(p.encoding === "json" ? ENCODING_JSON : ENCODING_OCTETS)
    .u16(p.schema)
    .u32(data.length)
    .bytes(data);
}

export function readPayload(r: Reader): Payload | BodyFail {
  const encoding = r.u8();
  const schema = r.u16();
  const length = r.u32();
  if (encoding === undefined || schema === undefined || length === undefined) return short("payload header");
  const data = r.bytes(length);
  if (data === undefined) return short("payload data");
  const badSchema = checkInt(schema, "payload.schema", 1, 0xffff);
  if (badSchema) return badField(badSchema);
  if (encoding === ENCODING_OCTETS) return { encoding: "octets", schema, data: new Uint8Array(data) };
  if (encoding !== ENCODING_JSON) return badField(`payload.encoding: unknown value ${encoding}`);
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(data);
    return { encoding: "json", schema, data: JSON.parse(text) as JsonValue };
  } catch {
    return { fail: "bad-body", detail: "payload is not UTF-8 JSON" };
  }
}

/** Reads a payload that ends its body (helper for tests and tools). */
export function decodePayloadBytes(bytes: Uint8Array): Payload | BodyFail {
  return readPayload(new Reader(bytes));
}
