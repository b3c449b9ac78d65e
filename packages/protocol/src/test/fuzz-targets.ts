// Fuzz targets of every decoder of this package: reset-path and duplex datagrams, the duplex
// stream decoder fed in random splits, fence_kdump, and the key-file parser. Inputs are random
// bytes or mutations of the golden fixtures (src/fixtures/*.hex); mutated frames often get their
// bodyLength fixed and their tag recomputed, so the body parsers are reached, also under a key.
// Oracles: decoders never throw and return ok or a listed drop reason; what decodes re-encodes
// (reset path: to the same bytes); the key-file parser throws only ProtocolError
// PROTOCOL_BAD_KEY_FILE and never echoes a secret.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type AuthVerifier, computeTag, ReplayCache } from "../auth.js";
import {
  FENCE_KDUMP_MAGIC,
  FLAG_AUTH,
  HEADER_SIZE,
  KEY_ID_SIZE,
  NONCE_SIZE,
  OFF_BODY_LENGTH,
  OFF_FLAGS,
  OFF_TIMESTAMP,
  PROTOCOL_DUPLEX,
  PROTOCOL_RESET_PATH,
  TRAILER_SIZE,
} from "../constants.js";
import { decodeDuplex, encodeDuplex, MAX_STREAM_FRAME } from "../duplex/messages.js";
import { DuplexStreamDecoder } from "../duplex/stream.js";
import { ProtocolError } from "../errors.js";
import { decodeFenceKdump } from "../fence-kdump.js";
import type { DecodeOptions } from "../frame.js";
import { formatKeyFile, parseKeyFile } from "../key-file.js";
import { decodeResetPath, encodeResetPath } from "../reset-path/messages.js";
import { DROP_REASONS, type DecodeResult } from "../result.js";
import { unsupportedVersionReply } from "../unsupported-version.js";
import { fromHexDump } from "./fixture-json.js";
import { check, concat, type FuzzTarget, mutateBytes, mutateText, type Rng } from "./fuzz.js";
import { FIXTURE_KEY, FIXTURE_TIME } from "./samples.js";

export interface FixtureCorpus {
  resetPath: Uint8Array[];
  duplex: Uint8Array[];
  fenceKdump: Uint8Array[];
}

/** The golden fixtures of src/fixtures, by protocol. */
export function loadFixtureCorpus(dir: string): FixtureCorpus {
  const corpus: FixtureCorpus = { resetPath: [], duplex: [], fenceKdump: [] };
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith(".hex")) continue;
    const bytes = fromHexDump(readFileSync(join(dir, file), "utf8"));
    if (file.startsWith("rp-")) corpus.resetPath.push(bytes);
    else if (file.startsWith("dx-")) corpus.duplex.push(bytes);
    else if (file.startsWith("fence-kdump")) corpus.fenceKdump.push(bytes);
  }
  return corpus;
}

const KEY_HEX = Buffer.from(FIXTURE_KEY.secret).toString("hex");
const DROPS = new Set<string>(DROP_REASONS);

function checkResult(result: DecodeResult<unknown>, what: string): void {
  check(result && typeof result === "object" && typeof result.ok === "boolean", `${what}: not a result`);
  if (!result.ok) {
    check(DROPS.has(result.reason), `${what}: unknown drop reason ${String(result.reason)}`);
    check(typeof result.detail === "string" && result.detail.length < 512, `${what}: bad detail`);
    check(!result.detail.includes(KEY_HEX), `${what}: detail carries key material`);
  }
}

/** Sets bodyLength to what the bytes hold (header + body [+ trailer when flagged]). */
function fixLength(b: Uint8Array): void {
  if (b.length < HEADER_SIZE) return;
  const trailer = (b[OFF_FLAGS]! & FLAG_AUTH) !== 0 ? TRAILER_SIZE : 0;
  const body = b.length - HEADER_SIZE - trailer;
  if (body >= 0) new DataView(b.buffer, b.byteOffset).setUint32(OFF_BODY_LENGTH, body);
}

/** Recomputes the tag with the fixtures' key, as an insider holding the key would. */
function resign(b: Uint8Array): void {
  if (b.length < HEADER_SIZE + TRAILER_SIZE || (b[OFF_FLAGS]! & FLAG_AUTH) === 0) return;
  const tagAt = b.length - TRAILER_SIZE + KEY_ID_SIZE + NONCE_SIZE;
  b.set(computeTag(FIXTURE_KEY, b.subarray(0, tagAt)), tagAt);
}

/** A datagram: random bytes (1 in 10) or a fixture with 1-6 mutations, often length-fixed and re-signed. */
function datagram(rng: Rng, corpus: readonly Uint8Array[]): Uint8Array {
  if (rng.chance(0.1)) return rng.bytes(rng.int(600));
  let b: Uint8Array = rng.pick(corpus).slice();
  const n = rng.range(rng.chance(0.15) ? 0 : 1, 6);
  for (let i = 0; i < n; i++) b = mutateBytes(rng, b, corpus);
  if (rng.chance(0.6)) fixLength(b);
  if (rng.chance(0.6)) resign(b);
  return b;
}

type Policy = "none" | "migration" | "required";

function decodeOptions(rng: Rng, bytes: Uint8Array): { options: DecodeOptions; policy: Policy } {
  const policy = rng.pick<Policy>(["none", "migration", "required"]);
  // The receiver's clock: near the frame's own timestamp (inside the window) or anywhere.
  const ts =
    bytes.length >= HEADER_SIZE
      ? new DataView(bytes.buffer, bytes.byteOffset).getUint32(OFF_TIMESTAMP + 4)
      : 0;
  const now = rng.chance(0.8) ? FIXTURE_TIME + rng.int(60_000) : rng.pick([0, ts, 2 ** 53 - 1, FIXTURE_TIME]);
  if (policy === "none") return { options: { now }, policy };
  const auth: AuthVerifier = {
    keys: [FIXTURE_KEY],
    require: policy === "required",
    replay: new ReplayCache(30_000, 8),
  };
  return { options: { now, auth }, policy };
}

/** Canonical text of a decoded value (bytes as hex) for equality checks. */
function canon(v: unknown): string {
  return JSON.stringify(v, (_k, x) =>
    x instanceof Uint8Array ? `hex:${Buffer.from(x).toString("hex")}` : x,
  );
}

function resetPathTarget(corpus: readonly Uint8Array[]): FuzzTarget {
  return {
    name: "reset-path-datagram",
    run(rng) {
      const bytes = datagram(rng, corpus);
      const { options, policy } = decodeOptions(rng, bytes);
      const result = decodeResetPath(bytes, options);
      checkResult(result, "decodeResetPath");
      const reply = unsupportedVersionReply(bytes, PROTOCOL_RESET_PATH, options.now);
      if (reply) {
        check(reply.length <= bytes.length, "UNSUPPORTED-VERSION reply larger than the request");
        check(bytes[3] !== 1, "UNSUPPORTED-VERSION reply to a version-1 frame");
      }
      if (!result.ok) return result.reason;
      check(
        bytes[3] === 1 && bytes[2] === PROTOCOL_RESET_PATH,
        "accepted a frame of another protocol/version",
      );
      const signed = (bytes[OFF_FLAGS]! & FLAG_AUTH) !== 0;
      check(policy !== "required" || signed, "accepted an unsigned frame while a key is required");
      const m = result.value;
      // What decodes is inside the specification: it encodes again without an exception, and
      // (unsigned, or signed and verified) to exactly the received bytes.
      const nonce = m.auth ? Buffer.from(m.auth.nonce, "hex") : undefined;
      const verified = signed && policy !== "none";
      const again = encodeResetPath(m, verified && nonce ? { auth: { key: FIXTURE_KEY, nonce } } : {});
      if (!signed || verified) {
        check(Buffer.from(again).equals(Buffer.from(bytes)), "decoded frame does not re-encode to its bytes");
      }
      const back = decodeResetPath(again, { now: options.now });
      check(
        back.ok && canon({ ...back.value, auth: undefined }) === canon({ ...m, auth: undefined }),
        "round trip changed the message",
      );
      return "ok";
    },
  };
}

function duplexTarget(corpus: readonly Uint8Array[]): FuzzTarget {
  return {
    name: "duplex-datagram",
    run(rng) {
      const bytes = datagram(rng, corpus);
      const { options, policy } = decodeOptions(rng, bytes);
      const result = decodeDuplex(
        bytes,
        rng.chance(0.3) ? { ...options, maxLength: MAX_STREAM_FRAME } : options,
      );
      checkResult(result, "decodeDuplex");
      if (!result.ok) return result.reason;
      check(bytes[2] === PROTOCOL_DUPLEX, "accepted a frame of another protocol");
      check(
        policy !== "required" || (bytes[OFF_FLAGS]! & FLAG_AUTH) !== 0,
        "accepted an unsigned frame under a key",
      );
      const m = result.value;
      const again = encodeDuplex(m);
      const back = decodeDuplex(again, { now: options.now, maxLength: MAX_STREAM_FRAME });
      check(back.ok, `re-encoded frame dropped: ${back.ok ? "" : back.reason}`);
      check(
        canon({ ...back.value, auth: undefined }) === canon({ ...m, auth: undefined }),
        "round trip changed the message",
      );
      return "ok";
    },
  };
}

/** Splits bytes into 1..n chunks of random sizes (often 1-byte runs). */
function splits(rng: Rng, bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  const mode = rng.int(3);
  while (at < bytes.length) {
    const n = mode === 0 ? 1 : mode === 1 ? rng.range(1, 64) : rng.range(1, bytes.length);
    out.push(bytes.subarray(at, at + n));
    at += n;
  }
  if (rng.chance(0.2)) out.splice(rng.int(out.length + 1), 0, new Uint8Array(0));
  return out;
}

function streamTarget(corpus: readonly Uint8Array[]): FuzzTarget {
  return {
    name: "duplex-stream",
    run(rng) {
      // Distinct frames: a signed frame sent twice is a replay, which the decoder rightly drops.
      const pool = corpus.slice();
      const frames = Array.from(
        { length: rng.range(1, Math.min(6, pool.length)) },
        () => pool.splice(rng.int(pool.length), 1)[0]!,
      );
      let bytes = concat(frames);
      const mutated = rng.chance(0.7);
      if (mutated) {
        const n = rng.range(1, 4);
        for (let i = 0; i < n; i++) bytes = mutateBytes(rng, bytes, corpus);
      }
      const auth = rng.chance(0.7)
        ? { auth: { keys: [FIXTURE_KEY], require: true, replay: new ReplayCache(30_000, 64) } }
        : {};
      const decoder = new DuplexStreamDecoder(auth);
      const now = FIXTURE_TIME + rng.int(20_000);
      const got: unknown[] = [];
      let fatal: string | undefined;
      for (const chunk of splits(rng, bytes)) {
        const r = decoder.push(chunk, now);
        check(Array.isArray(r.messages), "push returned no message list");
        if (fatal) {
          check(r.fatal?.reason === fatal && r.messages.length === 0, "decoded after a fatal drop");
        } else if (r.fatal) {
          checkResult(r.fatal, "stream fatal");
          fatal = r.fatal.reason;
        }
        got.push(...r.messages);
        check(
          decoder.pending <= MAX_STREAM_FRAME + chunk.length,
          `pending ${decoder.pending} above the frame bound`,
        );
      }
      if (!mutated) {
        // Intact frames in any split: exactly the frames, in order, nothing left over.
        check(fatal === undefined, `intact stream failed: ${fatal}`);
        check(decoder.pending === 0, "bytes left over from an intact stream");
        const expected = frames.map((f) => {
          const d = decodeDuplex(f, { now, maxLength: MAX_STREAM_FRAME });
          return d.ok ? d.value : d;
        });
        check(canon(got) === canon(expected), "intact stream decoded to other messages");
      }
      return fatal === undefined ? `ok:${got.length > 0 ? "messages" : "none"}` : fatal;
    },
  };
}

function fenceKdumpTarget(corpus: readonly Uint8Array[]): FuzzTarget {
  return {
    name: "fence-kdump",
    run(rng) {
      let bytes: Uint8Array = rng.chance(0.2) ? rng.bytes(rng.int(17)) : rng.pick(corpus).slice();
      const n = rng.int(3);
      for (let i = 0; i < n; i++) bytes = mutateBytes(rng, bytes, corpus);
      const result = decodeFenceKdump(bytes);
      checkResult(result, "decodeFenceKdump");
      // Independent oracle: 8 bytes, magic and version 1 in one byte order.
      const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const valid =
        bytes.length === 8 &&
        [true, false].some((le) => v.getUint32(0, le) === FENCE_KDUMP_MAGIC && v.getUint32(4, le) === 1);
      check(
        result.ok === valid,
        `fence_kdump ${Buffer.from(bytes).toString("hex")}: ok=${result.ok}, expected ${valid}`,
      );
      return result.ok ? "ok" : result.reason;
    },
  };
}

const HEX = "0123456789abcdefABCDEF".split("");
const KEY_ALPHABET = [
  ...HEX,
  " ",
  "\t",
  "\n",
  "\r\n",
  "#",
  "send",
  "SEND",
  "0",
  "9",
  "-",
  "x",
  "\u00a0",
  "\u0663",
];

function keyLine(rng: Rng): string {
  const id = rng.pick(["1", "2", "4294967295", "4294967296", "0", "9999999999", "01", String(rng.int(100))]);
  const secret = Array.from({ length: rng.pick([64, 64, 64, 63, 65]) }, () => rng.pick(HEX)).join("");
  const send = rng.pick(["", " send", "\tsend", " send extra", " SEND"]);
  const comment = rng.chance(0.2) ? " # comment" : "";
  return `${rng.chance(0.1) ? "  " : ""}${id}${rng.pick([" ", "\t", "  "])}${secret}${send}${comment}`;
}

function keyFileTarget(): FuzzTarget {
  return {
    name: "key-file",
    run(rng) {
      const lines = Array.from({ length: rng.range(0, 5) }, () =>
        rng.pick([keyLine, keyLine, keyLine, () => "# haconn shared keys", () => "", () => "   "])(rng),
      );
      let text = lines.join(rng.chance(0.8) ? "\n" : "\r\n");
      const n = rng.chance(0.4) ? 0 : rng.range(1, 4);
      for (let i = 0; i < n; i++) text = mutateText(rng, text, KEY_ALPHABET);
      if (rng.chance(0.01)) text = `${"1 ".repeat(rng.range(1000, 20_000))}\n`;
      const secrets = [...text.matchAll(/[0-9a-fA-F]{64}/g)].map((m) => m[0].toLowerCase());
      let ring: ReturnType<typeof parseKeyFile>;
      try {
        ring = parseKeyFile(text);
      } catch (error) {
        check(ProtocolError.isInstance(error), `threw ${String(error)} instead of ProtocolError`);
        check(error.code === "PROTOCOL_BAD_KEY_FILE", `wrong code ${error.code}`);
        const message = error.message.toLowerCase();
        check(!secrets.some((s) => message.includes(s)), "error message echoes a secret");
        check(!/[0-9a-f]{32}/.test(message), "error message carries long hex (key material)");
        return "refused";
      }
      check(ring.keys.length >= 1 && ring.keys.includes(ring.send), "ring without a send key");
      const ids = ring.keys.map((k) => k.id);
      check(new Set(ids).size === ids.length, "duplicate key ids");
      for (const k of ring.keys) {
        check(Number.isInteger(k.id) && k.id >= 1 && k.id <= 0xffff_ffff, `key id ${k.id} out of range`);
        check(k.secret.length === 32, "secret not 32 bytes");
      }
      const again = parseKeyFile(formatKeyFile(ring));
      check(
        canon(again.keys.map((k) => [k.id, k.secret])) === canon(ring.keys.map((k) => [k.id, k.secret])),
        "format/parse changed the keys",
      );
      check(again.send.id === ring.send.id, "format/parse changed the send key");
      return "ok";
    },
  };
}

/** Every protocol target over one corpus. */
export function protocolFuzzTargets(corpus: FixtureCorpus): FuzzTarget[] {
  return [
    resetPathTarget(corpus.resetPath),
    duplexTarget(corpus.duplex),
    streamTarget(corpus.duplex),
    fenceKdumpTarget(corpus.fenceKdump),
    keyFileTarget(),
  ];
}
