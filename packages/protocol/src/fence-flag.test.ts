// Header flags bit 1 FENCE (docs/protocol.md §3.1, §4.3): defined for RESET only, carried in the
// RESET body as `fence`, reserved (bad-flags) in every other type, covered by the tag.
import { describe, expect, it } from "vitest";
import { ReplayCache } from "./auth.js";
import { FLAG_AUTH, FLAG_FENCE, OFF_FLAGS, OFF_TYPE, TAG_SIZE } from "./constants.js";
import { DUPLEX_SAMPLES, FIXTURE_KEY, FIXTURE_NONCE, RESET_PATH_SAMPLES } from "./test/samples.js";
import { decodeDuplex, encodeDuplex } from "./duplex/messages.js";
import { decodeResetPath, encodeResetPath, type ResetPathMessage } from "./reset-path/messages.js";

const sample = (name: string) => RESET_PATH_SAMPLES.find((s) => s.name === name)!.message;
const reset = sample("rp-reset") as Extract<ResetPathMessage, { type: "reset" }>;
const fence = { ...reset, body: { ...reset.body, fence: true } };
const now = reset.header.timestampMs;
const keyed = () => ({ keys: [FIXTURE_KEY], require: true, replay: new ReplayCache() });

function withFlags(bytes: Uint8Array, flags: number): Uint8Array {
  const b = bytes.slice();
  b[OFF_FLAGS] = flags;
  return b;
}

describe("FENCE flag (bit 1)", () => {
  it("encodes as bit 1 of the flags byte and decodes to body.fence = true", () => {
    const bytes = encodeResetPath(fence);
    expect(bytes[OFF_FLAGS]).toBe(FLAG_FENCE);
    const d = decodeResetPath(bytes, { now });
    expect(d).toEqual({ ok: true, value: fence });
    const signed = encodeResetPath(fence, { auth: { key: FIXTURE_KEY, nonce: FIXTURE_NONCE } });
    expect(signed[OFF_FLAGS]).toBe(FLAG_AUTH | FLAG_FENCE);
    const ds = decodeResetPath(signed, { now, auth: keyed() });
    expect(ds.ok && ds.value.type === "reset" && ds.value.body.fence).toBe(true);
  });

  it("a plain RESET has no fence field and its bytes are unchanged (fence: false encodes as 0)", () => {
    const plain = encodeResetPath(reset);
    expect(plain[OFF_FLAGS]).toBe(0);
    expect(encodeResetPath({ ...reset, body: { ...reset.body, fence: false } })).toEqual(plain);
    const d = decodeResetPath(plain, { now });
    expect(d.ok && d.value.type === "reset" && "fence" in d.value.body).toBe(false);
  });

  it("is reserved in every other reset-path type: bad-flags", () => {
    for (const s of RESET_PATH_SAMPLES.filter((x) => x.message.type !== "reset")) {
      const bytes = encodeResetPath(s.message);
      expect(decodeResetPath(bytes, { now: s.message.header.timestampMs }).ok).toBe(true);
      const d = decodeResetPath(withFlags(bytes, bytes[OFF_FLAGS]! | FLAG_FENCE), {
        now: s.message.header.timestampMs,
      });
      expect(d.ok ? "ok" : d.reason, s.name).toBe("bad-flags");
    }
  });

  it("on an unknown type it is bad-flags (step 6 comes before unknown-type at step 9)", () => {
    const b = withFlags(encodeResetPath(reset), FLAG_FENCE);
    b[OFF_TYPE] = 0x55;
    const d = decodeResetPath(b, { now });
    expect(d.ok ? "ok" : d.reason).toBe("bad-flags");
  });

  it("bits 2-7 stay reserved on RESET", () => {
    for (let bit = 2; bit < 8; bit++) {
      const d = decodeResetPath(withFlags(encodeResetPath(reset), FLAG_FENCE | (1 << bit)), { now });
      expect(d.ok ? "ok" : d.reason).toBe("bad-flags");
    }
  });

  it("is reserved on the duplex protocol", () => {
    const s = DUPLEX_SAMPLES.find((x) => x.message.type === "heartbeat")!;
    const bytes = encodeDuplex(s.message as never);
    const d = decodeDuplex(withFlags(bytes, bytes[OFF_FLAGS]! | FLAG_FENCE), {
      now: s.message.header.timestampMs,
    });
    expect(d.ok ? "ok" : d.reason).toBe("bad-flags");
  });

  it("is under the tag: flipping it on a signed frame gives bad-mac", () => {
    const signed = encodeResetPath(reset, { auth: { key: FIXTURE_KEY, nonce: FIXTURE_NONCE } });
    const flipped = withFlags(signed, FLAG_AUTH | FLAG_FENCE);
    const d = decodeResetPath(flipped, { now, auth: keyed() });
    expect(d.ok ? "ok" : d.reason).toBe("bad-mac");
    const signedFence = encodeResetPath(fence, { auth: { key: FIXTURE_KEY, nonce: FIXTURE_NONCE } });
    const cleared = withFlags(signedFence, FLAG_AUTH);
    const c = decodeResetPath(cleared, { now, auth: keyed() });
    expect(c.ok ? "ok" : c.reason).toBe("bad-mac");
    // Only the flags byte differs, the tag is the last 32 bytes.
    expect(signedFence.subarray(signedFence.length - TAG_SIZE)).not.toEqual(
      signed.subarray(signed.length - TAG_SIZE),
    );
  });

  it("rejects a non-boolean fence on encode", () => {
    expect(() => encodeResetPath({ ...reset, body: { ...reset.body, fence: 1 as never } })).toThrow(/fence/);
  });
});
