// The independent client agrees with the golden fixtures (packages/protocol/src/fixtures, the
// doc's tie-breaker: data, not our code) byte for byte, so an attack test built on it sends what
// the doc says and no shared misunderstanding with packages/protocol can hide behind it.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DX_TYPE, dxBody, dxFrame } from "./duplex-raw.js";
import { parseRawFrame, parseRawKeyFile, rawTagValid } from "./frame-raw.js";
import { kdumpNotice, RawUdp, RP_TYPE, rpBody, rpFrame, rpParse } from "./reset-path-raw.js";

const FIXTURES = join(__dirname, "../../../../packages/protocol/src/fixtures");
const hex = (name: string) =>
  Buffer.from(readFileSync(join(FIXTURES, `${name}.hex`), "utf8").replace(/\s+/g, ""), "hex");
const KEY = { id: 1, secret: Buffer.from(Array.from({ length: 32 }, (_, i) => i)) };
const NONCE = Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]);
const T0 = 1735689600000;

describe("independent reset-path client against the golden fixtures", () => {
  it("builds rp-check-physical and rp-check-guest-signed byte for byte", () => {
    const physical = rpFrame({
      type: RP_TYPE.check,
      requestId: 1,
      senderId: 10001,
      timestampMs: T0,
      body: rpBody.check({ replyPort: 6001, intervalSec: 10, system: "PSERVER3" }),
    });
    expect(physical.toString("hex")).toBe(hex("rp-check-physical").toString("hex"));
    const guest = rpFrame({
      type: RP_TYPE.check,
      requestId: 7,
      senderId: 10011,
      timestampMs: T0,
      body: rpBody.check({
        replyPort: 6002,
        intervalSec: 5,
        pair: 10021,
        system: "PSERVER1",
        vm: "v_system01",
      }),
      sign: { key: KEY, nonce: NONCE },
    });
    expect(guest.toString("hex")).toBe(hex("rp-check-guest-signed").toString("hex"));
    expect(rawTagValid(guest, KEY.secret)).toBe(true);
    expect(rawTagValid(guest, Buffer.alloc(32))).toBe(false);
  });

  it("parses the connector's replies as the doc lays them out", () => {
    const result = parseRawFrame(hex("rp-reset-result-dump"));
    expect(result?.type).toBe(RP_TYPE.resetResult);
    expect(result?.requestId).toBe(0x12345678);
    expect(rpParse.resetResult(result?.body ?? Buffer.alloc(6))).toEqual({
      target: 10001,
      result: 1,
      detail: 0,
    });
    const reply = parseRawFrame(hex("rp-check-reply-resettable"));
    expect(rpParse.checkReply(reply?.body ?? Buffer.alloc(9))).toEqual({
      blockers: 0,
      redundancy: 0,
      role: 1,
      status: 1,
      pair: 0,
      responder: "mserver1",
    });
    const att = parseRawFrame(hex("rp-attention-dump"));
    expect(rpParse.attention(att?.body ?? Buffer.alloc(18))).toMatchObject({
      eventId: 12884901889n,
      state: 1,
      target: 10001,
      clusterPort: 6001,
      system: "PSERVER3",
      vm: "",
    });
  });

  it("builds both byte orders of the fence_kdump notice", () => {
    expect(kdumpNotice("le").equals(hex("fence-kdump-le"))).toBe(true);
    expect(kdumpNotice("be").equals(hex("fence-kdump-be"))).toBe(true);
  });

  it("reads a key file's send key", () => {
    const k = parseRawKeyFile(`# c\n1 ${"00".repeat(32)}\n2 ${"ab".repeat(32)} send\n`);
    expect(k.id).toBe(2);
    expect(k.secret.equals(Buffer.alloc(32, 0xab))).toBe(true);
    expect(() => parseRawKeyFile(`1 ${"00".repeat(32)}\n2 ${"00".repeat(32)}\n`)).toThrow(/send/);
  });

  it("sends from a chosen loopback address and records what comes back", async () => {
    const a = await RawUdp.open("127.0.97.1");
    const b = await RawUdp.open("127.0.97.2");
    try {
      await a.send(rpFrame({ type: RP_TYPE.check, requestId: 3, senderId: 9, body: Buffer.alloc(0) }), {
        address: "127.0.97.2",
        port: b.port,
      });
      const got = await b.waitFor((r) => r.frame?.requestId === 3, 2000);
      expect(got?.from).toEqual({ address: "127.0.97.1", port: a.port });
      expect(await a.quiet(50)).toEqual([]);
    } finally {
      a.close();
      b.close();
    }
  });
});

describe("independent duplex client against the golden fixtures", () => {
  it("builds dx-heartbeat and dx-command byte for byte", () => {
    const digest = Buffer.from("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "hex");
    const hb = dxFrame({
      type: DX_TYPE.heartbeat,
      requestId: 314,
      senderId: 1,
      timestampMs: T0,
      body: dxBody.heartbeat({
        role: 1,
        flags: 0b011,
        intervalMs: 500,
        term: 3,
        stateVersion: 1042,
        digest,
        node: "mserver1",
      }),
      sign: { key: KEY, nonce: NONCE },
    });
    expect(hb.toString("hex")).toBe(hex("dx-heartbeat").toString("hex"));
    const cmd = dxFrame({
      type: DX_TYPE.command,
      requestId: 17,
      senderId: 1,
      timestampMs: T0,
      body: dxBody.command(6, { since: null }),
      sign: { key: KEY, nonce: NONCE },
    });
    expect(cmd.toString("hex")).toBe(hex("dx-command").toString("hex"));
  });
});
