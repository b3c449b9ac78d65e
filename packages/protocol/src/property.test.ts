// Property tests: encode->decode is the identity for valid messages; any byte string decodes to
// ok or a drop and never throws. Case counts add up to more than 100 000 per run.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AuthVerifier, ReplayCache } from "./auth.js";
import { DuplexStreamDecoder } from "./duplex/stream.js";
import { decodeDuplex, encodeDuplex, MAX_STREAM_FRAME } from "./duplex/messages.js";
import { decodeFenceKdump } from "./fence-kdump.js";
import { decodeResetPath, encodeResetPath } from "./reset-path/messages.js";
import { DROP_REASONS } from "./result.js";
import { duplexMessageArb, resetPathMessageArb } from "./test/arbitraries.js";
import { FIXTURE_KEY, FIXTURE_NONCE } from "./test/samples.js";

const signer = { key: FIXTURE_KEY, nonce: FIXTURE_NONCE };
const verifier = (): AuthVerifier => ({
  keys: [FIXTURE_KEY],
  require: true,
  windowMs: Number.MAX_SAFE_INTEGER,
  replay: new ReplayCache(Number.MAX_SAFE_INTEGER, 1_000_000),
});

function expectDecodeOutcome(result: { ok: boolean; reason?: string }): void {
  if (!result.ok) expect(DROP_REASONS).toContain(result.reason);
}

/** A valid message's bytes damaged one of four ways. */
function mutated(valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    valid.chain((b) => fc.integer({ min: 0, max: Math.max(0, b.length - 1) }).map((n) => b.slice(0, n))),
    valid.chain((b) => fc.uint8Array({ minLength: 1, maxLength: 16 }).map((x) => Buffer.concat([b, x]))),
    valid.chain((b) =>
      fc
        .tuple(fc.integer({ min: 0, max: b.length * 8 - 1 }), fc.integer({ min: 1, max: 3 }))
        .map(([bit, n]) => {
          const c = b.slice();
          for (let i = 0; i < n; i++) {
            const at = (bit + i * 37) % (c.length * 8);
            c[at >> 3]! ^= 1 << (at & 7);
          }
          return c;
        }),
    ),
    valid.chain((b) =>
      fc.tuple(fc.integer({ min: 0, max: b.length - 1 }), fc.integer({ min: 0, max: 255 })).map(([at, v]) => {
        const c = b.slice();
        c[at] = v;
        return c;
      }),
    ),
  );
}

describe("reset path properties", () => {
  it("encode -> decode is the identity (unsigned), 15 000 cases", () => {
    fc.assert(
      fc.property(resetPathMessageArb, (m) => {
        const d = decodeResetPath(encodeResetPath(m), { now: 0 });
        expect(d).toEqual({ ok: true, value: m });
      }),
      { numRuns: 15_000 },
    );
  });

  it("encode -> decode is the identity (signed, key required), 10 000 cases", () => {
    const auth = verifier();
    fc.assert(
      fc.property(resetPathMessageArb, fc.uint8Array({ minLength: 8, maxLength: 8 }), (m, nonce) => {
        const d = decodeResetPath(encodeResetPath(m, { auth: { key: FIXTURE_KEY, nonce } }), {
          now: 0,
          auth,
        });
        expect(d).toEqual({
          ok: true,
          value: { ...m, auth: { keyId: 1, nonce: Buffer.from(nonce).toString("hex") } },
        });
      }),
      { numRuns: 10_000 },
    );
  });

  it("random bytes never throw, 20 000 cases", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (b) => {
        expectDecodeOutcome(decodeResetPath(b, { now: 0 }));
        expectDecodeOutcome(decodeFenceKdump(b));
      }),
      { numRuns: 20_000 },
    );
  });

  it("random bytes behind a valid header never throw, 10 000 cases", () => {
    const head = Buffer.from("4843010101000000", "hex");
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 0x7f }), fc.uint8Array({ maxLength: 120 }), (type, rest) => {
        const b = Buffer.concat([head, Buffer.alloc(20), rest]);
        b[4] = type;
        b.writeUInt32BE(rest.length, 8);
        expectDecodeOutcome(decodeResetPath(b, { now: 0 }));
      }),
      { numRuns: 10_000 },
    );
  });

  it("truncated, extended and bit-flipped messages never throw, 20 000 cases (half signed)", () => {
    const valid = fc
      .tuple(resetPathMessageArb, fc.boolean())
      .map(([m, signed]) => encodeResetPath(m, signed ? { auth: signer } : {}));
    fc.assert(
      fc.property(mutated(valid), fc.boolean(), (b, withKey) => {
        expectDecodeOutcome(decodeResetPath(b, { now: 0, auth: withKey ? verifier() : undefined }));
      }),
      { numRuns: 20_000 },
    );
  });
});

describe("duplex properties", () => {
  it("encode -> decode is the identity (signed), 10 000 cases", () => {
    const auth = verifier();
    fc.assert(
      fc.property(duplexMessageArb, (m) => {
        const bytes = encodeDuplex(m, { auth: signer, maxLength: MAX_STREAM_FRAME });
        const d = decodeDuplex(bytes, { now: 0, auth, maxLength: MAX_STREAM_FRAME });
        expect(d).toEqual({ ok: true, value: { ...m, auth: { keyId: 1, nonce: "0102030405060708" } } });
      }),
      { numRuns: 10_000 },
    );
  });

  it("a stream cut anywhere yields the same frames, 2 000 cases", () => {
    fc.assert(
      fc.property(
        fc.array(duplexMessageArb, { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 97 }),
        (ms, step) => {
          const stream = Buffer.concat(
            ms.map((m) => encodeDuplex(m, { auth: signer, maxLength: MAX_STREAM_FRAME })),
          );
          const dec = new DuplexStreamDecoder({ auth: verifier() });
          const out = [];
          for (let i = 0; i < stream.length; i += step) {
            const r = dec.push(stream.subarray(i, i + step), 0);
            expect(r.fatal).toBeUndefined();
            out.push(...r.messages);
          }
          expect(out.map((m) => m.body)).toEqual(ms.map((m) => m.body));
          expect(dec.pending).toBe(0);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("mutated frames and random bytes never throw, 15 000 cases", () => {
    const valid = duplexMessageArb.map((m) => encodeDuplex(m, { auth: signer, maxLength: MAX_STREAM_FRAME }));
    fc.assert(
      fc.property(fc.oneof(mutated(valid), fc.uint8Array({ maxLength: 200 })), (b) => {
        expectDecodeOutcome(decodeDuplex(b, { now: 0, auth: verifier(), maxLength: MAX_STREAM_FRAME }));
        const r = new DuplexStreamDecoder({ auth: verifier() }).push(b, 0);
        if (r.fatal) expect(DROP_REASONS).toContain(r.fatal.reason);
      }),
      { numRuns: 15_000 },
    );
  });
});
