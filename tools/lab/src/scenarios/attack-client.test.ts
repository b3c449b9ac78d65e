// The monitor / fencing-client side is reachable too: @haconn/client listens for ATTENTION on
// the cluster's port (haconnclient listen, ocf:haconn:monitor). An attacker that is not our code
// (tools/lab/src/attacker, raw datagrams from docs/protocol.md) forges, replays and floods it:
// in key mode nothing it sends reaches a listener, is acknowledged, or is kept per sender; only
// counters move. Control: the same frame signed with the real key is heard once.
import { createSocket } from "node:dgram";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HaconnClient, loadKeyFile } from "@haconn/client";
import { formatKeyFile, generateAuthKey } from "@haconn/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRawKeyFile, type RawKey } from "../attacker/frame-raw.js";
import { RP_TYPE, rpForged, rpFrame } from "../attacker/reset-path-raw.js";
import { waitFor } from "./harness.js";

const CLIENT = "127.0.183.1";
const ATTACKER = "127.0.183.9";
const CONNECTOR = { address: "127.0.183.2", port: 9 }; // nobody listens: the client only receives here

describe("attack: forged, replayed and flooded ATTENTION at a client in key mode", () => {
  const dir = mkdtempSync(join(tmpdir(), "haconn-atk-client-"));
  const keyFile = join(dir, "resetpath.key");
  const text = formatKeyFile(
    (() => {
      const k = generateAuthKey(1);
      return { keys: [k], send: k };
    })(),
  );
  writeFileSync(keyFile, text, { mode: 0o600 });
  const realKey: RawKey = parseRawKeyFile(text);
  const wrongKey: RawKey = { id: 1, secret: Buffer.alloc(32, 7) };
  const heard: bigint[] = [];
  const acks: Buffer[] = [];
  let client: HaconnClient;
  const attacker = createSocket("udp4");

  beforeAll(async () => {
    client = await HaconnClient.open({
      connector: CONNECTOR,
      subsystem: 10001,
      keys: loadKeyFile(keyFile),
      bind: { address: CLIENT, port: 0 },
    });
    client.onAttention((a) => heard.push(BigInt(a.eventId)));
    await new Promise<void>((r) => attacker.bind(0, ATTACKER, r));
    attacker.on("message", (m) => acks.push(m));
  });

  afterAll(() => {
    client.close();
    attacker.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const attention = (eventId: bigint, sign?: RawKey, requestId = 1) =>
    rpFrame({
      type: RP_TYPE.attention,
      requestId,
      senderId: 0,
      body: rpForged.attention({
        eventId,
        state: 1,
        target: 10002,
        clusterPort: client.replyPort,
        system: "PSERVER2",
      }),
      ...(sign ? { sign: { key: sign } } : {}),
    });
  const send = (b: Buffer) =>
    new Promise<void>((r, j) => attacker.send(b, client.replyPort, CLIENT, (e) => (e ? j(e) : r())));
  const dropped = () => Object.values(client.drops).reduce((a, b) => a + b, 0);

  it("an unsigned ATTENTION DUMP and one signed with a wrong key are dropped, counted, never acknowledged", async () => {
    const before = dropped();
    await send(attention(101n));
    await send(attention(102n, wrongKey));
    await waitFor("two drops counted", () => dropped() >= before + 2 || undefined, 5000);
    await new Promise((r) => setTimeout(r, 100));
    expect(heard).toEqual([]);
    expect(acks).toEqual([]);
    expect(client.drops.unauthenticated).toBeGreaterThanOrEqual(1);
    expect(client.drops["bad-mac"]).toBeGreaterThanOrEqual(1);
  });

  it("a flood of 5000 forged and malformed datagrams reaches no listener and gets no answer", async () => {
    const before = dropped();
    for (let i = 0; i < 5000; i++) {
      const f =
        i % 3 === 0
          ? attention(BigInt(1000 + i))
          : i % 3 === 1
            ? attention(BigInt(1000 + i), wrongKey)
            : Buffer.from([i & 0xff, 1, 2]);
      await send(f);
      // Paced so the kernel's receive buffer (same process, one event loop) does not drop them:
      // the point is what the client does with each datagram, not a loopback overflow.
      if (i % 100 === 99) await new Promise((r) => setTimeout(r, 5));
    }
    await waitFor("the flood counted", () => dropped() >= before + 4500 || undefined, 15_000).catch((e) => {
      throw new Error(`${e.message}: ${dropped() - before} counted ${JSON.stringify(client.drops)}`);
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(heard).toEqual([]);
    expect(acks).toEqual([]);
  });

  it("control: the real key's ATTENTION is heard once and acknowledged; its replay is heard no more", async () => {
    const frame = attention(777n, realKey, 42);
    await send(frame);
    await waitFor("the signed ATTENTION heard", () => heard.length === 1 || undefined, 5000);
    expect(heard).toEqual([777n]);
    await waitFor("its ATTENTION-ACK", () => acks.length >= 1 || undefined, 5000);
    await send(frame); // a captured copy sent again
    await new Promise((r) => setTimeout(r, 200));
    expect(heard).toEqual([777n]);
  });
});
