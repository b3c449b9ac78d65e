// The client side of RESET against a connector played by a raw socket on loopback: the
// retransmission schedule until an answer, RESULT-ACK for the result, signatures both ways.
import { createSocket } from "node:dgram";
import {
  decodeResetPath,
  encodeResetPath,
  generateAuthKey,
  ReplayCache,
  type ResetPathMessage,
} from "@haconn/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { requestReset, ResetPathSocket } from "./reset-link.js";

const key = generateAuthKey(5);
const ring = { keys: [key], send: key };
const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

async function connector(answer: (m: ResetPathMessage, n: number) => ResetPathMessage[]) {
  const s = createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
  cleanup.push(() => s.close());
  const got: ResetPathMessage[] = [];
  const replay = new ReplayCache();
  s.on("message", (b, from) => {
    const r = decodeResetPath(b, { now: Date.now(), auth: { keys: [key], require: true, replay } });
    if (!r.ok) return;
    got.push(r.value);
    for (const m of answer(r.value, got.length))
      s.send(encodeResetPath(m, { auth: { key } }), from.port, from.address);
  });
  return { port: s.address().port, got };
}

const hdr = (requestId: number) => ({ requestId, senderId: 0, timestampMs: Date.now(), attempt: 0 });

describe("requestReset", () => {
  it("retransmits until accepted, waits for the result and acknowledges it", async () => {
    const c = await connector((m, n) => {
      if (m.type !== "reset" || n < 2) return [];
      return [
        {
          type: "reset-accepted",
          header: hdr(m.header.requestId),
          body: { targetSubsystem: 2, phase: "softReset" },
        },
        {
          type: "reset-result",
          header: hdr(m.header.requestId),
          body: { targetSubsystem: 2, result: "DUMP", detail: "none" },
        },
      ];
    });
    const sock = await ResetPathSocket.open({ address: "127.0.0.1", port: 0 }, ring, 1);
    cleanup.push(() => sock.close());
    const out = await requestReset(sock, {
      connector: { address: "127.0.0.1", port: c.port },
      clusterPort: 40000,
      target: { subsystem: 2, system: "PN2" },
      resultTimeoutMs: 5000,
    });
    expect(out).toMatchObject({ kind: "result", result: { result: "DUMP" }, sends: 2 });
    await new Promise((r) => setTimeout(r, 50));
    const resets = c.got.filter((m) => m.type === "reset");
    expect(resets.map((m) => m.header.attempt)).toEqual([0, 1]);
    expect(new Set(resets.map((m) => m.header.requestId)).size).toBe(1);
    expect(resets[0]).toMatchObject({
      header: { senderId: 1 },
      body: { targetSubsystem: 2, clusterPort: 40000, targetSystemName: "PN2" },
    });
    expect(c.got.some((m) => m.type === "result-ack")).toBe(true);
  });

  it("reports a connector that never answers as silent", async () => {
    const c = await connector(() => []);
    const sock = await ResetPathSocket.open({ address: "127.0.0.1", port: 0 }, ring, 1);
    cleanup.push(() => sock.close());
    const out = await requestReset(sock, {
      connector: { address: "127.0.0.1", port: c.port },
      clusterPort: 40000,
      target: { subsystem: 2, system: "PN2" },
      resultTimeoutMs: 1000,
      maxSends: 3,
    });
    expect(out).toMatchObject({ kind: "silent", sends: 3 });
    expect(c.got.map((m) => m.header.attempt)).toEqual([0, 1, 2]);
  });
});
