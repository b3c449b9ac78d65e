// Every drop reason is reachable and counted; authentication rules (window, replay, key rotation).
import { describe, expect, it } from "vitest";
import { type AuthVerifier, createAuthKey, ReplayCache } from "./auth.js";
import { HEADER_SIZE, MAX_DATAGRAM } from "./constants.js";
import { decodeResetPath, encodeResetPath, type ResetPathMessage } from "./reset-path/messages.js";
import { countDrop, createDropCounters, DROP_REASONS, type DropReason } from "./result.js";
import { FIXTURE_KEY, FIXTURE_NONCE, FIXTURE_TIME, RESET_PATH_SAMPLES } from "./test/samples.js";
import { unsupportedVersionReply } from "./unsupported-version.js";

const check = RESET_PATH_SAMPLES.find((s) => s.name === "rp-check-physical")!.message;
const reset = RESET_PATH_SAMPLES.find((s) => s.name === "rp-reset")!.message;
const KEY2 = createAuthKey(2, new Uint8Array(32).fill(0xaa));
const now = FIXTURE_TIME;

function verifier(keys = [FIXTURE_KEY], require = true): AuthVerifier {
  return { keys, require, replay: new ReplayCache() };
}

function reasonOf(bytes: Uint8Array, auth?: AuthVerifier, at = now): DropReason | "ok" {
  const r = decodeResetPath(bytes, { now: at, auth });
  return r.ok ? "ok" : r.reason;
}

const plain = encodeResetPath(check);
const patched = (at: number, v: number) => {
  const b = plain.slice();
  b[at] = v;
  return b;
};

describe("decode drops", () => {
  it("reaches every reason with the documented cases", () => {
    const seen = new Map<DropReason | "ok", number>();
    const cases: [DropReason, Uint8Array, AuthVerifier?][] = [
      ["short", plain.subarray(0, HEADER_SIZE - 1)],
      ["too-long", new Uint8Array(MAX_DATAGRAM + 1)],
      ["bad-magic", patched(0, 0x00)],
      ["wrong-protocol", patched(2, 0x02)],
      ["unsupported-version", patched(3, 0x02)],
      ["bad-flags", patched(5, 0x80)],
      ["truncated", plain.subarray(0, plain.length - 1)],
      ["trailing-bytes", Buffer.concat([plain, Buffer.from([0])])],
      ["unauthenticated", plain, verifier()],
      ["unknown-key", encodeResetPath(check, { auth: { key: KEY2 } }), verifier()],
      ["bad-mac", encodeResetPath(check, { auth: { key: { id: 1, secret: KEY2.secret } } }), verifier()],
      ["unknown-type", patched(4, 0x55)],
      [
        "bad-body",
        (() => {
          const b = Buffer.concat([plain, Buffer.from([0])]);
          b.writeUInt32BE(b.length - HEADER_SIZE, 8);
          return b;
        })(),
      ],
      ["bad-field", patched(HEADER_SIZE + 2, 9)],
    ];
    const counters = createDropCounters();
    for (const [want, bytes, auth] of cases) {
      const r = decodeResetPath(bytes, { now, auth });
      expect(r.ok ? "ok" : r.reason, want).toBe(want);
      if (!r.ok) countDrop(counters, r);
      seen.set(want, 1);
    }
    // stale and replay need a valid signature:
    const signed = encodeResetPath(check, { auth: { key: FIXTURE_KEY } });
    expect(reasonOf(signed, verifier(), now + 31_000)).toBe("stale");
    const v = verifier();
    expect(reasonOf(signed, v)).toBe("ok");
    expect(reasonOf(signed, v)).toBe("replay");
    for (const r of DROP_REASONS) if (!["stale", "replay"].includes(r)) expect(counters[r], r).toBe(1);
  });

  it("rejects a body byte outside its enum, a name with a bad character, a zero subsystem", () => {
    const badName = plain.slice();
    badName[badName.length - 2] = 0x20; // a space in "PSERVER3"
    expect(reasonOf(badName)).toBe("bad-field");
    const zeroSender = plain.slice();
    zeroSender.fill(0, 16, 20);
    expect(reasonOf(zeroSender)).toBe("bad-field");
    // connector messages carry senderId 0: a RESET-RESULT claiming a subsystem is refused.
    const result = RESET_PATH_SAMPLES.find((x) => x.name === "rp-reset-result-dump")!.message;
    const forged = encodeResetPath(result).slice();
    forged[19] = 1;
    expect(reasonOf(forged)).toBe("bad-field");
  });

  it("encode refuses values outside the specification", () => {
    const bad = { ...check, body: { ...check.body, systemName: "has space" } } as ResetPathMessage;
    expect(() => encodeResetPath(bad)).toThrow(/systemName/);
    const wrongDetail = {
      type: "reset-result",
      header: { ...check.header, senderId: 0 },
      body: { targetSubsystem: 1, result: "DUMP", detail: "resetFailed" },
    } as ResetPathMessage;
    expect(() => encodeResetPath(wrongDetail)).toThrow(/not allowed/);
  });
});

describe("authentication", () => {
  const signed = (key = FIXTURE_KEY, dt = 0) =>
    encodeResetPath({ ...check, header: { ...check.header, timestampMs: now + dt } }, { auth: { key } });

  it("without a key, trailers are ignored and unsigned datagrams accepted", () => {
    expect(reasonOf(signed(KEY2))).toBe("ok");
    expect(reasonOf(plain)).toBe("ok");
  });

  it("migration mode (require=false) accepts unsigned but still checks trailers", () => {
    const v = verifier([FIXTURE_KEY], false);
    expect(reasonOf(plain, v)).toBe("ok");
    expect(reasonOf(signed(KEY2), v)).toBe("unknown-key");
    expect(reasonOf(signed(), v)).toBe("ok");
  });

  it("rotation: a receiver holding keys 1 and 2 accepts both", () => {
    const v = verifier([FIXTURE_KEY, KEY2]);
    expect(reasonOf(signed(FIXTURE_KEY), v)).toBe("ok");
    expect(reasonOf(signed(KEY2), v)).toBe("ok");
  });

  it("window is symmetric and inclusive", () => {
    expect(reasonOf(signed(FIXTURE_KEY, 30_000), verifier())).toBe("ok");
    expect(reasonOf(signed(FIXTURE_KEY, -30_000), verifier())).toBe("ok");
    expect(reasonOf(signed(FIXTURE_KEY, 30_001), verifier())).toBe("stale");
    expect(reasonOf(signed(FIXTURE_KEY, -30_001), verifier())).toBe("stale");
  });

  it("notBefore: a frame timestamped before the receiver's start is stale, even inside the window", () => {
    // A capture from before a restart (or a takeover) replayed afterwards: the new socket's
    // replay cache is empty, its start time is the bound.
    const v: AuthVerifier = { ...verifier(), notBeforeMs: now - 5000 };
    expect(reasonOf(signed(FIXTURE_KEY, -10_000), v)).toBe("stale");
    expect(reasonOf(signed(FIXTURE_KEY, -5000), v)).toBe("ok");
    expect(reasonOf(signed(FIXTURE_KEY, -10_000), verifier())).toBe("ok");
  });

  it("an UNSUPPORTED-VERSION whose senderId is not 0 is bad-field on the reset path", () => {
    const uv = unsupportedVersionReply(Object.assign(encodeResetPath(reset), { 3: 2 }), 1, now)!;
    expect(reasonOf(uv)).toBe("ok");
    const other = uv.slice();
    other[19] = 7; // senderId (offset 16, u32) = 7
    expect(reasonOf(other)).toBe("bad-field");
  });

  it("a retransmission with a fresh nonce is not a replay; the same bytes are", () => {
    const v = verifier();
    const first = encodeResetPath(reset, { auth: { key: FIXTURE_KEY, nonce: FIXTURE_NONCE } });
    const again = encodeResetPath(
      { ...reset, header: { ...reset.header, attempt: 1 } },
      { auth: { key: FIXTURE_KEY, nonce: FIXTURE_NONCE } },
    );
    expect(reasonOf(first, v)).toBe("ok");
    expect(reasonOf(again, v)).toBe("ok");
    expect(reasonOf(first, v)).toBe("replay");
  });

  it("a full replay cache refuses anything not newer than what it evicted", () => {
    const cache = new ReplayCache(30_000, 2);
    const tag = (n: number) => new Uint8Array(32).fill(n);
    expect(cache.checkAndRemember(tag(1), now, now)).toBe(false);
    expect(cache.checkAndRemember(tag(2), now + 1, now)).toBe(false);
    expect(cache.checkAndRemember(tag(3), now + 2, now)).toBe(false); // evicts tag 1 (ts now)
    expect(cache.size).toBe(2);
    expect(cache.checkAndRemember(tag(1), now, now)).toBe(true); // not newer than the floor
    expect(cache.checkAndRemember(tag(2), now + 1, now)).toBe(true); // still remembered
    expect(cache.checkAndRemember(tag(4), now + 60_000, now + 60_000)).toBe(false); // old ones purged
    expect(cache.size).toBe(1);
  });
});

describe("unsupported version", () => {
  it("answers a version-2 frame with the supported range and the same request id", () => {
    const v2 = encodeResetPath(reset);
    v2[3] = 2;
    const reply = unsupportedVersionReply(v2, 1, now)!;
    const d = decodeResetPath(reply, { now });
    expect(d).toMatchObject({
      ok: true,
      value: {
        type: "unsupported-version",
        header: { requestId: reset.header.requestId },
        body: { minVersion: 1, maxVersion: 1 },
      },
    });
    expect(reply.length).toBeLessThanOrEqual(v2.length);
  });

  it("never answers version 1, garbage, short frames or another UNSUPPORTED-VERSION", () => {
    expect(unsupportedVersionReply(encodeResetPath(reset), 1, now)).toBeUndefined();
    expect(unsupportedVersionReply(new Uint8Array(40), 1, now)).toBeUndefined();
    const bare = encodeResetPath(reset).subarray(0, HEADER_SIZE).slice();
    bare[3] = 2;
    expect(unsupportedVersionReply(bare, 1, now)).toBeUndefined();
    const uv = unsupportedVersionReply(Object.assign(encodeResetPath(reset), { 3: 2 }), 1, now)!;
    uv[3] = 2;
    expect(unsupportedVersionReply(uv, 1, now)).toBeUndefined();
  });
});
