// The duplex link's stream admission with real sockets on loopback (127.0.61.2x): only a
// connection whose handshake proves duplex.key becomes a stream; a wrong key gets nothing; at
// most MAX_PENDING unauthenticated connections are held; frames are sealed and delivered.
import { connect } from "node:net";
import { systemClock } from "@haconn/core";
import { createAuthKey, type DuplexMessage, type KeyRing } from "@haconn/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { DuplexLink, type DuplexStream, MAX_PENDING } from "./duplex-link.js";

const A = "127.0.61.21";
const B = "127.0.61.22";
const ring = (fill: number): KeyRing => {
  const k = createAuthKey(1, new Uint8Array(32).fill(fill));
  return { keys: [k], send: k };
};
const links: DuplexLink[] = [];
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

function link(self: string, peer: string, nodeId: number, key: KeyRing, port: number) {
  const got: DuplexMessage[] = [];
  const l = new DuplexLink({
    self: { addr: self, port },
    peer: { addr: peer, port },
    nodeId,
    key,
    clock: systemClock(),
    freshnessMs: 1000,
    handshakeTimeoutMs: 300,
    onHeartbeat: () => undefined,
    onStream: (m) => got.push(m),
    onStreamClosed: () => undefined,
  });
  links.push(l);
  return { l, got };
}

afterEach(() => {
  for (const l of links.splice(0)) l.close();
});

describe("DuplexLink stream admission", () => {
  it("authenticates, then carries sealed frames; a wrong key is refused and gets no stream", async () => {
    const port = 40000 + Math.floor(Math.random() * 20000);
    const server = link(A, B, 1, ring(7), port);
    const accepted: DuplexStream[] = [];
    await server.l.listen((s) => accepted.push(s));
    const client = link(B, A, 2, ring(7), port);
    const s = await client.l.connect();
    expect(s?.authenticated).toBe(true);
    s!.send("sync-ack", { term: 1, stateVersion: 5 });
    await wait(100);
    expect(accepted).toHaveLength(1);
    expect(server.got.map((m) => m.type)).toEqual(["sync-ack"]);
    const intruder = link(B, A, 2, ring(8), port);
    expect(await intruder.l.connect()).toBeUndefined();
    await wait(50);
    expect(accepted).toHaveLength(1);
    // The intruder sees the server's proof fail first and gives up; the server never accepted it.
    expect(intruder.l.refused.get("bad-proof")).toBe(1);
    expect(server.l.refused.get("closed")).toBe(1);
  });

  it("reports a refused connection (nobody listens) and nothing else as ECONNREFUSED", async () => {
    const port = 40000 + Math.floor(Math.random() * 20000);
    const client = link(B, A, 2, ring(7), port);
    const codes: string[] = [];
    expect(await client.l.connect(1000, (code) => codes.push(code))).toBeUndefined();
    expect(codes).toEqual(["ECONNREFUSED"]);
    // Someone listens but fails the handshake (wrong key): a failure, not a refusal.
    const server = link(A, B, 1, ring(8), port);
    await server.l.listen(() => undefined);
    codes.length = 0;
    expect(await client.l.connect(1000, (code) => codes.push(code))).toBeUndefined();
    expect(codes).toEqual([]);
  });

  it("holds at most MAX_PENDING unauthenticated connections and times them out", async () => {
    const port = 40000 + Math.floor(Math.random() * 20000);
    const server = link(A, B, 1, ring(7), port);
    await server.l.listen(() => undefined);
    const raws = Array.from({ length: MAX_PENDING + 3 }, () => connect({ host: A, port, localAddress: B }));
    await wait(100);
    const pending = (server.l as unknown as { pending: Set<unknown> }).pending;
    expect(pending.size).toBeLessThanOrEqual(MAX_PENDING);
    expect(server.l.refused.get("pending-limit")).toBe(3);
    await wait(400);
    expect(pending.size).toBe(0);
    expect(server.l.refused.get("timeout")).toBe(MAX_PENDING);
    for (const r of raws) r.destroy();
  });
});
