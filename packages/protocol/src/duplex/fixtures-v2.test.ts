// Golden fixtures of duplex version 2 (docs/protocol.md §7.2, §8.5), in src/fixtures/duplex-v2/:
// one handshake (node 2 connects to node 1 with FIXTURE_KEY and fixed nonces), the derived keys,
// a sealed HELLO of each side (counter 0), a sealed COMMAND (the server's counter 1) and a signed
// heartbeat. <name>.hex = bytes, <name>.json = inputs and decoded value. Regenerate (after a
// deliberate format change only) with UPDATE_FIXTURES=1.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ReplayCache } from "../auth.js";
import { fromFixtureJson, fromHexDump, toFixtureJson, toHexDump } from "../test/fixture-json.js";
import { FIXTURE_KEY, FIXTURE_NONCE, FIXTURE_TIME } from "../test/samples.js";
import { DuplexHandshake } from "./handshake.js";
import { decodeHeartbeatV2, encodeHeartbeatV2, type HeartbeatMessage } from "./heartbeat-v2.js";
import type { DuplexMessage } from "./messages.js";
import { SealedDecoder, SealedWriter } from "./sealed.js";
import { configDigestMac, heartbeatKey, streamKey } from "./v2-keys.js";

const dir = join(import.meta.dirname, "..", "fixtures", "duplex-v2");
const update = process.env.UPDATE_FIXTURES === "1";
const NC = Uint8Array.from({ length: 32 }, (_, i) => 0xa0 + (i % 16));
const NS = Uint8Array.from({ length: 32 }, (_, i) => 0xb0 + (i % 16));
const CLIENT = 2;
const SERVER = 1;
const now = () => FIXTURE_TIME;
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const DIGEST = configDigestMac(
  FIXTURE_KEY,
  "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
);

function handshake() {
  const client = new DuplexHandshake({
    role: "client",
    selfId: CLIENT,
    peerId: SERVER,
    keys: [FIXTURE_KEY],
    sendKey: FIXTURE_KEY,
    random: () => NC,
    now,
  });
  const server = new DuplexHandshake({
    role: "server",
    selfId: SERVER,
    peerId: CLIENT,
    keys: [FIXTURE_KEY],
    sendKey: FIXTURE_KEY,
    random: () => NS,
    now,
  });
  const init = client.start()[0]!;
  const s1 = server.push(init);
  const challenge = s1.send[0]!;
  const c1 = client.push(challenge);
  const proof = c1.send[0]!;
  const s2 = server.push(proof);
  if (c1.state !== "done" || s2.state !== "done") throw new Error("fixture handshake failed");
  return { init, challenge, proof, client: c1.keys, server: s2.keys };
}

const hello = (senderId: number, role: "active" | "standby"): DuplexMessage => ({
  type: "hello",
  header: { requestId: 1, senderId, timestampMs: FIXTURE_TIME, attempt: 0 },
  body: {
    role,
    term: 3,
    stateVersion: role === "active" ? 17 : 0,
    configDigest: DIGEST,
    nodeName: `mserver${senderId}`,
  },
});
const command: DuplexMessage = {
  type: "command",
  header: { requestId: 2, senderId: SERVER, timestampMs: FIXTURE_TIME, attempt: 0 },
  body: { command: "shutdown", args: { encoding: "json", schema: 1, data: {} } },
};
const heartbeat: HeartbeatMessage = {
  type: "heartbeat",
  header: { requestId: 42, senderId: SERVER, timestampMs: FIXTURE_TIME, attempt: 0 },
  body: {
    role: "active",
    flags: { holdsVip: true, synchronised: true, leaving: false, fencing: false },
    intervalMs: 200,
    term: 3,
    stateVersion: 17,
    configDigest: DIGEST,
    nodeName: "mserver1",
  },
};

function build(): Record<string, { bytes: Uint8Array; json: unknown }> {
  const h = handshake();
  const c2s = streamKey(FIXTURE_KEY, NC, NS, CLIENT, SERVER);
  const s2c = streamKey(FIXTURE_KEY, NC, NS, SERVER, CLIENT);
  const keyInfo = {
    keyId: 1,
    secret: hex(FIXTURE_KEY.secret),
    nc: hex(NC),
    ns: hex(NS),
    clientId: CLIENT,
    serverId: SERVER,
  };
  const serverWriter = new SealedWriter(h.server.send);
  const serverHello = serverWriter.seal(hello(SERVER, "active"));
  const serverCommand = serverWriter.seal(command);
  return {
    "dx2-auth-init": { bytes: h.init, json: { frame: "AUTH-INIT", ...keyInfo } },
    "dx2-auth-challenge": {
      bytes: h.challenge,
      json: { frame: "AUTH-CHALLENGE", ...keyInfo, proofS: hex(h.challenge.subarray(28 + 36)) },
    },
    "dx2-auth-proof": {
      bytes: h.proof,
      json: {
        frame: "AUTH-PROOF",
        ...keyInfo,
        proofC: hex(h.proof.subarray(28)),
        keys: { "key(2,1)": hex(c2s.export()), "key(1,2)": hex(s2c.export()) },
      },
    },
    "dx2-hello-sealed-client": {
      bytes: new SealedWriter(h.client.send).seal(hello(CLIENT, "standby")),
      json: { key: "key(2,1)", counter: 0, message: hello(CLIENT, "standby") },
    },
    "dx2-hello-sealed-server": {
      bytes: serverHello,
      json: { key: "key(1,2)", counter: 0, message: hello(SERVER, "active") },
    },
    "dx2-command-sealed-server": {
      bytes: serverCommand,
      json: { key: "key(1,2)", counter: 1, message: command },
    },
    "dx2-heartbeat": {
      bytes: encodeHeartbeatV2(heartbeat, FIXTURE_KEY, FIXTURE_NONCE),
      json: {
        heartbeatKey: hex(heartbeatKey(FIXTURE_KEY, SERVER).secret),
        message: { ...heartbeat, auth: { keyId: 1, nonce: hex(FIXTURE_NONCE) } },
      },
    },
  };
}

const fixtures = build();
if (update) {
  for (const [name, f] of Object.entries(fixtures)) {
    writeFileSync(join(dir, `${name}.hex`), toHexDump(f.bytes));
    writeFileSync(join(dir, `${name}.json`), toFixtureJson(f.json));
  }
}

describe("duplex v2 golden fixtures", () => {
  for (const [name, f] of Object.entries(fixtures)) {
    it(`${name}: the code produces the stored bytes and value`, () => {
      expect(existsSync(join(dir, `${name}.hex`))).toBe(true);
      const bytes = fromHexDump(readFileSync(join(dir, `${name}.hex`), "utf8"));
      expect(hex(f.bytes)).toBe(hex(bytes));
      expect(fromFixtureJson(readFileSync(join(dir, `${name}.json`), "utf8"))).toEqual(f.json);
    });
  }

  it("the stored sealed frames open to their messages; the heartbeat verifies", () => {
    const h = handshake();
    const read = (name: string) => fromHexDump(readFileSync(join(dir, `${name}.hex`), "utf8"));
    const atClient = new SealedDecoder(h.client.receive, SERVER);
    const r = atClient.push(
      new Uint8Array(Buffer.concat([read("dx2-hello-sealed-server"), read("dx2-command-sealed-server")])),
      FIXTURE_TIME,
    );
    expect(r.fatal).toBeUndefined();
    expect(r.messages).toEqual([hello(SERVER, "active"), command]);
    const atServer = new SealedDecoder(h.server.receive, CLIENT).push(
      read("dx2-hello-sealed-client"),
      FIXTURE_TIME,
    );
    expect(atServer.messages).toEqual([hello(CLIENT, "standby")]);
    const hb = decodeHeartbeatV2(read("dx2-heartbeat"), FIXTURE_TIME + 100, {
      keys: [FIXTURE_KEY],
      require: true,
      replay: new ReplayCache(),
      peerId: SERVER,
    });
    expect(hb).toEqual({ ok: true, value: { ...heartbeat, auth: { keyId: 1, nonce: hex(FIXTURE_NONCE) } } });
  });
});
