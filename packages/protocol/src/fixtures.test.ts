// Golden fixtures: src/fixtures/<name>.hex holds the bytes, <name>.json the decoded value.
// Decoding the bytes gives the value; encoding the value gives the bytes. Regenerate (after a
// deliberate format change only) with UPDATE_FIXTURES=1.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ReplayCache } from "./auth.js";
import { decodeDuplex, encodeDuplex } from "./duplex/messages.js";
import { decodeFenceKdump, encodeFenceKdump } from "./fence-kdump.js";
import { decodeResetPath, encodeResetPath } from "./reset-path/messages.js";
import { fromFixtureJson, fromHexDump, toFixtureJson, toHexDump } from "./test/fixture-json.js";
import { DUPLEX_SAMPLES, FIXTURE_KEY, FIXTURE_NONCE, RESET_PATH_SAMPLES } from "./test/samples.js";

const dir = join(import.meta.dirname, "fixtures");
const update = process.env.UPDATE_FIXTURES === "1";

const codecs = {
  "reset-path": { encode: encodeResetPath, decode: decodeResetPath },
  duplex: { encode: encodeDuplex, decode: decodeDuplex },
} as const;

type Protocol = keyof typeof codecs;

const all = [
  ...RESET_PATH_SAMPLES.map((s) => ({ ...s, protocol: "reset-path" as Protocol })),
  ...DUPLEX_SAMPLES.map((s) => ({ ...s, protocol: "duplex" as Protocol })),
];

if (update) {
  for (const s of all) {
    const { encode, decode } = codecs[s.protocol];
    const bytes = encode(
      s.message as never,
      s.signed ? { auth: { key: FIXTURE_KEY, nonce: FIXTURE_NONCE } } : {},
    );
    const decoded = decode(bytes, { now: s.message.header.timestampMs });
    if (!decoded.ok) throw new Error(`${s.name}: ${decoded.detail}`);
    writeFileSync(join(dir, `${s.name}.hex`), toHexDump(bytes));
    writeFileSync(
      join(dir, `${s.name}.json`),
      toFixtureJson({ protocol: s.protocol, message: decoded.value }),
    );
  }
  writeFileSync(join(dir, "fence-kdump-le.hex"), toHexDump(encodeFenceKdump("little-endian")));
  writeFileSync(join(dir, "fence-kdump-le.json"), toFixtureJson({ byteOrder: "little-endian", version: 1 }));
  writeFileSync(join(dir, "fence-kdump-be.hex"), toHexDump(encodeFenceKdump("big-endian")));
  writeFileSync(join(dir, "fence-kdump-be.json"), toFixtureJson({ byteOrder: "big-endian", version: 1 }));
}

const names = readdirSync(dir)
  .filter((f) => f.endsWith(".hex"))
  .map((f) => f.slice(0, -4))
  .sort();

describe("golden fixtures", () => {
  it("cover every sample and every message type", () => {
    for (const s of all) expect(names).toContain(s.name);
    const types = new Set(all.map((s) => `${s.protocol}:${s.message.type}`));
    expect(types.size).toBe(11 + 8);
  });

  for (const name of names.filter((n) => !n.startsWith("fence-kdump"))) {
    it(`${name}: bytes decode to the value and the value encodes to the bytes`, () => {
      const bytes = fromHexDump(readFileSync(join(dir, `${name}.hex`), "utf8"));
      const jsonPath = join(dir, `${name}.json`);
      expect(existsSync(jsonPath)).toBe(true);
      const { protocol, message } = fromFixtureJson(readFileSync(jsonPath, "utf8")) as {
        protocol: Protocol;
        message: { header: { timestampMs: number }; auth?: { keyId: number; nonce: string } };
      };
      const { encode, decode } = codecs[protocol];
      const now = message.header.timestampMs + 1500;
      const auth = message.auth
        ? { keys: [FIXTURE_KEY], require: true, replay: new ReplayCache() }
        : undefined;
      const decoded = decode(bytes, { now, auth });
      expect(decoded).toEqual({ ok: true, value: message });
      const nonce = message.auth ? Buffer.from(message.auth.nonce, "hex") : undefined;
      const again = encode(message as never, nonce ? { auth: { key: FIXTURE_KEY, nonce } } : {});
      expect(Buffer.from(again).toString("hex")).toBe(Buffer.from(bytes).toString("hex"));
    });
  }

  for (const order of ["le", "be"]) {
    it(`fence-kdump-${order}: decodes and re-encodes`, () => {
      const bytes = fromHexDump(readFileSync(join(dir, `fence-kdump-${order}.hex`), "utf8"));
      const value = fromFixtureJson(readFileSync(join(dir, `fence-kdump-${order}.json`), "utf8")) as {
        byteOrder: "little-endian" | "big-endian";
      };
      expect(decodeFenceKdump(bytes)).toEqual({ ok: true, value });
      expect(encodeFenceKdump(value.byteOrder)).toEqual(bytes);
    });
  }
});
