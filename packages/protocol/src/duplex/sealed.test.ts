import { createSecretKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createAuthKey, ReplayCache } from "../auth.js";
import { decodeHeartbeatV2, encodeHeartbeatV2, type HeartbeatMessage } from "./heartbeat-v2.js";
import type { DuplexMessage } from "./messages.js";
import { SealedDecoder, SealedWriter } from "./sealed.js";

const key = createSecretKey(Buffer.alloc(32, 5));
const cmd = (requestId: number): DuplexMessage => ({
  type: "command",
  header: { requestId, senderId: 2, timestampMs: 1000, attempt: 0 },
  body: { command: "shutdown", args: { encoding: "json", schema: 1, data: { secret: "hunter2" } } },
});

describe("sealed stream frames", () => {
  it("encrypts the body: no plaintext byte of it on the wire", () => {
    const bytes = new SealedWriter(key).seal(cmd(1));
    expect(Buffer.from(bytes).includes("hunter2")).toBe(false);
    expect(bytes[3]).toBe(2);
    expect(bytes[5]).toBe(0x02);
  });

  it("opens frames in order, cut anywhere", () => {
    const w = new SealedWriter(key);
    const all = Buffer.concat([w.seal(cmd(1)), w.seal(cmd(2)), w.seal(cmd(3))]);
    const d = new SealedDecoder(key, 2);
    const got: number[] = [];
    for (let i = 0; i < all.length; i += 7) {
      const r = d.push(all.subarray(i, i + 7), 0);
      expect(r.fatal).toBeUndefined();
      got.push(...r.messages.map((m) => m.header.requestId));
    }
    expect(got).toEqual([1, 2, 3]);
  });

  it("refuses a replayed, reordered or tampered frame, and a wrong sender id", () => {
    const w = new SealedWriter(key);
    const f1 = w.seal(cmd(1));
    const f2 = w.seal(cmd(2));
    const replay = new SealedDecoder(key, 2);
    expect(replay.push(f1, 0).messages).toHaveLength(1);
    expect(replay.push(f1, 0).fatal?.reason).toBe("bad-mac");
    expect(new SealedDecoder(key, 2).push(f2, 0).fatal?.reason).toBe("bad-mac");
    const tampered = Buffer.from(f1);
    tampered[20] = tampered[20]! ^ 1; // the timestamp: covered as additional data
    expect(new SealedDecoder(key, 2).push(tampered, 0).fatal?.reason).toBe("bad-mac");
    expect(new SealedDecoder(key, 1).push(f1, 0).fatal?.reason).toBe("bad-field");
    const plain = Buffer.from(f1);
    plain[5] = 0x01;
    expect(new SealedDecoder(key, 2).push(plain, 0).fatal?.reason).toBe("bad-flags");
  });
});

describe("v2 heartbeats", () => {
  const K = createAuthKey(3, new Uint8Array(32).fill(9));
  const hb = (senderId: number): HeartbeatMessage => ({
    type: "heartbeat",
    header: { requestId: 5, senderId, timestampMs: 10_000, attempt: 0 },
    body: {
      role: "active",
      flags: { holdsVip: true, synchronised: false, leaving: false, fencing: false },
      intervalMs: 200,
      term: 4,
      stateVersion: 9,
      configDigest: "00".repeat(32),
      nodeName: "HACON1",
    },
  });
  const verifier = (peerId: number) => ({ keys: [K], require: true, replay: new ReplayCache(), peerId });

  it("accepts the peer's heartbeat once; a replay and a reflection fail", () => {
    const bytes = encodeHeartbeatV2(hb(1), K);
    const v = verifier(1);
    const r = decodeHeartbeatV2(bytes, 10_100, v);
    expect(r.ok && r.value.body.term).toBe(4);
    expect(decodeHeartbeatV2(bytes, 10_100, v)).toMatchObject({ ok: false, reason: "replay" });
    // Node 1 receiving its own heartbeat back (it expects senderId 2).
    expect(decodeHeartbeatV2(bytes, 10_100, verifier(2))).toMatchObject({ ok: false, reason: "bad-field" });
    // Relabelled as node 2: the tag was made with node 1's heartbeat key.
    const relabelled = Buffer.from(bytes);
    relabelled.writeUInt32BE(2, 16);
    expect(decodeHeartbeatV2(relabelled, 10_100, verifier(2))).toMatchObject({
      ok: false,
      reason: "bad-mac",
    });
  });

  it("refuses a v1 heartbeat and a stale one", () => {
    const bytes = Buffer.from(encodeHeartbeatV2(hb(1), K));
    const old = Buffer.from(bytes);
    old[3] = 1;
    expect(decodeHeartbeatV2(old, 10_100, verifier(1))).toMatchObject({
      ok: false,
      reason: "unsupported-version",
    });
    expect(decodeHeartbeatV2(bytes, 100_000, verifier(1))).toMatchObject({ ok: false, reason: "stale" });
  });
});
