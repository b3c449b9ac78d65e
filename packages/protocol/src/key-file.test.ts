import { describe, expect, it } from "vitest";
import { ProtocolError } from "./errors.js";
import { formatKeyFile, generateAuthKey, parseKeyFile } from "./key-file.js";

const HEX1 = "00".repeat(32);
const HEX2 = "ab".repeat(32);

describe("key files", () => {
  it("round-trips a rotation ring through format and parse", () => {
    const keys = [generateAuthKey(1), generateAuthKey(2)];
    const ring = { keys, send: keys[1]! };
    const text = formatKeyFile(ring);
    expect(text).toMatch(/^2 [0-9a-f]{64} send$/m);
    const parsed = parseKeyFile(text);
    expect(parsed.keys.map((k) => k.id)).toEqual([1, 2]);
    expect(parsed.send.id).toBe(2);
    expect(Buffer.from(parsed.keys[0]!.secret)).toEqual(Buffer.from(ring.keys[0]!.secret));
  });

  it("a single key is the send key; comments and blank lines are ignored", () => {
    expect(parseKeyFile(`# comment\n\n7 ${HEX1}  # trailing\n`).send.id).toBe(7);
  });

  it("generates 32 random bytes", () => {
    const a = generateAuthKey(1);
    expect(a.secret.length).toBe(32);
    expect(Buffer.from(a.secret)).not.toEqual(Buffer.from(generateAuthKey(1).secret));
  });

  it.each([
    ["", /no key/],
    [`1 ${HEX1}\n2 ${HEX2}\n`, /none marked send/],
    [`1 ${HEX1} send\n2 ${HEX2} send\n`, /more than one/],
    [`1 ${HEX1}\n1 ${HEX2} send\n`, /twice/],
    [`0 ${HEX1}\n`, /1\.\.4294967295/],
    [`1 ${HEX1.slice(2)}\n`, /line 1/],
  ])("refuses %j", (text, message) => {
    try {
      parseKeyFile(text);
      expect.unreachable();
    } catch (e) {
      expect(ProtocolError.isInstance(e)).toBe(true);
      expect((e as ProtocolError).code).toBe("PROTOCOL_BAD_KEY_FILE");
      expect((e as Error).message).toMatch(message);
    }
  });
});
