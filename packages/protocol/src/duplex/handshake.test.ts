import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createAuthKey } from "../auth.js";
import { DuplexHandshake, type HandshakeOptions, type HandshakeStep } from "./handshake.js";
import { SealedDecoder, SealedWriter } from "./sealed.js";
import { configDigestMac, DX_AUTH_INIT } from "./v2-keys.js";

const K = createAuthKey(7, new Uint8Array(32).fill(0x11));
const OTHER = createAuthKey(7, new Uint8Array(32).fill(0x22));

/** Deterministic "randomness": a counter-based byte stream per seed. */
function rng(seed: string) {
  let n = 0;
  return (len: number) =>
    new Uint8Array(createHash("sha256").update(`${seed}:${n++}`).digest().subarray(0, len));
}

function clock(start = 1_735_689_600_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

function pair(over: { client?: Partial<HandshakeOptions>; server?: Partial<HandshakeOptions> } = {}) {
  const c = clock();
  const client = new DuplexHandshake({
    role: "client",
    selfId: 1,
    peerId: 2,
    keys: [K],
    sendKey: K,
    random: rng("c"),
    now: c.now,
    ...over.client,
  });
  const server = new DuplexHandshake({
    role: "server",
    selfId: 2,
    peerId: 1,
    keys: [K],
    sendKey: K,
    random: rng("s"),
    now: c.now,
    ...over.server,
  });
  return { client, server, c };
}

const cat = (xs: Uint8Array[]) => new Uint8Array(Buffer.concat(xs));
const done = (s: HandshakeStep) => {
  if (s.state !== "done") throw new Error(`expected done, got ${JSON.stringify(s)}`);
  return s;
};

function run(client: DuplexHandshake, server: DuplexHandshake) {
  const init = cat(client.start());
  const s1 = server.push(init);
  expect(s1.state).toBe("pending");
  const c1 = client.push(cat(s1.send));
  const s2 = server.push(cat(c1.send));
  return { s1, c1, s2 };
}

describe("duplex v2 handshake", () => {
  it("both sides authenticate and derive matching direction keys", () => {
    const { client, server } = pair();
    const { c1, s2 } = run(client, server);
    const ck = done(c1).keys;
    const sk = done(s2).keys;
    const frame = new SealedWriter(ck.send).seal({
      type: "sync-ack",
      header: { requestId: 1, senderId: 1, timestampMs: 1, attempt: 0 },
      body: { term: 1, stateVersion: 2 },
    });
    const r = new SealedDecoder(sk.receive, 1).push(frame, 1);
    expect(r.fatal).toBeUndefined();
    expect(r.messages[0]?.body).toEqual({ term: 1, stateVersion: 2 });
    // The direction keys differ: the client's own frame does not open under its receive key.
    expect(new SealedDecoder(ck.receive, 1).push(frame, 1).fatal?.reason).toBe("bad-mac");
  });

  it("the server sends nothing but its challenge before the client's proof, and never to a wrong key", () => {
    const { client, server } = pair({ client: { sendKey: OTHER, keys: [OTHER] } });
    const { s1, c1 } = run(client, server);
    expect(s1.send).toHaveLength(1); // the challenge only
    expect(c1).toMatchObject({ state: "failed", reason: "bad-proof" }); // the client sees a wrong proof
    const again = pair({ client: { sendKey: OTHER, keys: [OTHER] } });
    const init = cat(again.client.start());
    // A client that only pretends: the proof it sends is wrong → server fails, no keys.
    again.server.push(init);
    const forged = Buffer.alloc(28 + 32, 0xaa);
    forged.set(init.subarray(0, 28));
    forged[4] = 0x32;
    forged.writeUInt32BE(32, 8);
    expect(again.server.push(forged)).toMatchObject({ state: "failed", reason: "bad-proof" });
  });

  it("refuses a reflected proof: the server's own challenge proof sent back as the client's", () => {
    const { client, server } = pair();
    const init = cat(client.start());
    const s1 = server.push(init);
    const challenge = Buffer.from(cat(s1.send));
    const reflected = Buffer.alloc(28 + 32);
    challenge.copy(reflected, 0, 0, 28);
    reflected[4] = 0x32;
    reflected.writeUInt32BE(32, 8);
    reflected.writeUInt32BE(1, 16);
    challenge.copy(reflected, 28, 28 + 4 + 32);
    expect(server.push(reflected)).toMatchObject({ state: "failed", reason: "bad-proof" });
  });

  it("refuses the wrong sender id, a v1 frame, an unknown key and a frame out of turn", () => {
    const wrongSender = pair({ client: { selfId: 2, peerId: 1 } });
    expect(wrongSender.server.push(cat(wrongSender.client.start()))).toMatchObject({
      reason: "wrong-sender",
    });
    const v1 = pair();
    const init = Buffer.from(cat(v1.client.start()));
    init[3] = 1;
    expect(v1.server.push(init)).toMatchObject({ reason: "unsupported-version" });
    const unknown = pair({ client: { sendKey: createAuthKey(9, new Uint8Array(32)) } });
    expect(unknown.server.push(cat(unknown.client.start()))).toMatchObject({ reason: "unknown-key" });
    const turn = pair();
    const proofFirst = Buffer.from(cat(turn.client.start()));
    proofFirst[4] = 0x32;
    expect(turn.server.push(proofFirst)).toMatchObject({ reason: "unknown-type" });
  });

  it("keeps no more than one frame's bytes, accepts a frame cut in pieces, hands over the rest", () => {
    const { client, server } = pair();
    const init = cat(client.start());
    for (let i = 0; i < init.length - 1; i++)
      expect(server.push(init.subarray(i, i + 1)).state).toBe("pending");
    const s1 = server.push(init.subarray(init.length - 1));
    const c1 = done(client.push(cat(s1.send)));
    const tail = new Uint8Array([1, 2, 3]);
    const s2 = done(server.push(cat([...c1.send, tail])));
    expect([...s2.rest]).toEqual([1, 2, 3]);
    expect(init[4]).toBe(DX_AUTH_INIT);
  });

  it("times out on the injected clock", () => {
    const { server, c } = pair({ server: { timeoutMs: 2000 } });
    expect(server.expired(c.now())).toBe(false);
    c.advance(2000);
    expect(server.expired(c.now())).toBe(true);
    expect(server.push(new Uint8Array(1))).toMatchObject({ state: "failed", reason: "timeout" });
  });

  it("fresh nonces: a second connection derives different keys", () => {
    const a = pair();
    const b = pair({ client: { random: rng("c2") }, server: { random: rng("s2") } });
    const ka = done(run(a.client, a.server).c1).keys;
    const kb = done(run(b.client, b.server).c1).keys;
    expect(ka.send.export().equals(kb.send.export())).toBe(false);
  });

  it("config digest: an HMAC under the key, not the bare SHA-256", () => {
    const sha = createHash("sha256").update("{}").digest("hex");
    expect(configDigestMac(K, sha)).toMatch(/^[0-9a-f]{64}$/);
    expect(configDigestMac(K, sha)).not.toBe(sha);
    expect(configDigestMac(K, sha)).not.toBe(configDigestMac(OTHER, sha));
  });
});
