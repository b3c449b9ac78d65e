// Protocol benchmark: encode and decode throughput per message type, and the HMAC cost per
// datagram. Figures are printed, not asserted. Run:
//   pnpm --filter @haconn/bench build && node tools/bench/dist/protocol.bench.js [--quick] [--json <file>]
import { performance } from "node:perf_hooks";
import {
  type AuthVerifier,
  computeTag,
  DuplexStreamDecoder,
  decodeDuplex,
  decodeResetPath,
  encodeDuplex,
  encodeResetPath,
  MAX_STREAM_FRAME,
  ReplayCache,
} from "@haconn/protocol";
import { DUPLEX_SAMPLES, FIXTURE_KEY, RESET_PATH_SAMPLES } from "@haconn/protocol/test";
import { type Figure, figure, quickArg, writeBenchJson } from "./report-json.js";

const MIN_MS = quickArg() ? 20 : 200;
const BATCHES = 10;
/** Figures for --json: ns per call of each batch, by figure name. */
const recorded = new Map<string, number[]>();

/**
 * Grows a batch until it lasts MIN_MS / BATCHES, then runs BATCHES such batches; returns the
 * median ns per call (and records every batch's figure under `name` when given).
 */
function measure(fn: (i: number) => void, name?: string): number {
  const warm = performance.now();
  for (let i = 0; i < 2000 && performance.now() - warm < MIN_MS / 2; i++) fn(i); // warm-up
  let n = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn(i);
    if (performance.now() - t0 >= MIN_MS / BATCHES) break;
    n *= 2;
  }
  const perCall: number[] = [];
  for (let b = 0; b < BATCHES; b++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn(i);
    perCall.push(((performance.now() - t0) * 1e6) / n);
  }
  if (name) recorded.set(name, perCall);
  return perCall.sort((a, b) => a - b)[Math.ceil(BATCHES / 2) - 1]!;
}

const fmt = (ns: number) =>
  `${(ns / 1000).toFixed(2).padStart(8)} µs ${(1e9 / ns / 1000).toFixed(0).padStart(6)} k/s`;
const pad = (s: string, n: number) => s.padEnd(n);

function verifier(): AuthVerifier {
  // A window wide enough that the fixed sample timestamps are never stale; a fresh replay
  // cache per decode would dominate, so the tag check runs against a cache that forgets.
  return {
    keys: [FIXTURE_KEY],
    require: true,
    windowMs: Number.MAX_SAFE_INTEGER,
    replay: new ReplayCache(Number.MAX_SAFE_INTEGER, 1_000_000),
  };
}

console.log(
  `node ${process.version}, ${process.arch}; each figure: median of ${BATCHES} batch means, >= ${MIN_MS} ms of calls`,
);
/** The message types whose signed cost goes into the report. */
const REPORTED = new Set(["reset-path:check", "reset-path:reset", "duplex:heartbeat"]);
console.log(`${pad("message", 34)} ${pad("bytes", 6)} ${pad("encode", 24)} ${pad("decode", 24)}`);

const seen = new Set<string>();
const rows: { type: string; unsigned: number; signed: number }[] = [];
for (const [protocol, samples] of [
  ["reset-path", RESET_PATH_SAMPLES],
  ["duplex", DUPLEX_SAMPLES],
] as const) {
  for (const s of samples) {
    const key = `${protocol}:${s.message.type}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const enc = protocol === "reset-path" ? encodeResetPath : encodeDuplex;
    const dec = protocol === "reset-path" ? decodeResetPath : decodeDuplex;
    const m = s.message as never;
    const maxLength = protocol === "duplex" ? MAX_STREAM_FRAME : undefined;
    const plain = enc(m, { maxLength });
    const encodeNs = measure(() => enc(m, { maxLength }));
    const decodeNs = measure(() => dec(plain, { now: 0, maxLength }));
    console.log(`${pad(key, 34)} ${pad(String(plain.length), 6)} ${fmt(encodeNs)} ${fmt(decodeNs)}`);
    // Signed: every datagram a fresh nonce (as in production), so the replay cache grows.
    const v = verifier();
    let i = 0;
    const signedBytes = Array.from({ length: 4096 }, () => enc(m, { auth: { key: FIXTURE_KEY }, maxLength }));
    const report = REPORTED.has(key);
    const signedEncNs = measure(
      () => enc(m, { auth: { key: FIXTURE_KEY }, maxLength }),
      report ? `${key} signed encode` : undefined,
    );
    const signedDecNs = measure(
      () => {
        const r = dec(signedBytes[i++ % signedBytes.length]!, { now: 0, auth: v, maxLength });
        if (!r.ok && r.reason !== "replay") throw new Error(r.detail);
      },
      report ? `${key} signed decode (HMAC check + replay cache)` : undefined,
    );
    console.log(
      `${pad(`  + HMAC trailer (${key.split(":")[1]})`, 34)} ${pad(String(signedBytes[0]!.length), 6)} ${fmt(signedEncNs)} ${fmt(signedDecNs)}`,
    );
    rows.push({ type: key, unsigned: encodeNs + decodeNs, signed: signedEncNs + signedDecNs });
  }
}

const datagram = encodeResetPath(RESET_PATH_SAMPLES[0]!.message, { auth: { key: FIXTURE_KEY } });
const tagNs = measure(
  () => computeTag(FIXTURE_KEY, datagram.subarray(0, datagram.length - 32)),
  "HMAC-SHA256 alone over a CHECK",
);
console.log(`\nHMAC-SHA256 alone over a ${datagram.length - 32}-byte CHECK: ${fmt(tagNs)}`);
const resetRows = rows.filter((r) => r.type.startsWith("reset-path"));
const extra = resetRows.reduce((a, r) => a + (r.signed - r.unsigned), 0) / resetRows.length;
console.log(
  `authentication cost per reset-path datagram (sign + verify + replay cache), mean over types: ${(extra / 1000).toFixed(2)} µs`,
);

// Stream: a 1 MiB JSON snapshot cut into 64 KiB reads.
const big = {
  type: "snapshot" as const,
  header: { requestId: 1, senderId: 1, timestampMs: 0, attempt: 0 },
  body: {
    term: 1,
    stateVersion: 1,
    state: {
      encoding: "json" as const,
      schema: 1,
      data: {
        systems: Array.from({ length: 9000 }, (_, k) => ({
          port: 6001,
          subsystem: 10000 + k,
          status: "normal",
          addr: `127.0.${k >> 8}.${k & 255}`,
        })),
      },
    },
  },
};
const frame = encodeDuplex(big, { auth: { key: FIXTURE_KEY } });
const streamNs = measure(() => {
  const d = new DuplexStreamDecoder({ auth: verifier() });
  let got = 0;
  for (let at = 0; at < frame.length; at += 65536)
    got += d.push(frame.subarray(at, at + 65536), 0).messages.length;
  if (got !== 1) throw new Error("snapshot not decoded");
}, "duplex stream: signed ~600 KiB SNAPSHOT decoded from 64 KiB reads");
console.log(
  `duplex stream: ${(frame.length / 1024).toFixed(0)} KiB signed SNAPSHOT in 64 KiB reads: ${(streamNs / 1e6).toFixed(2)} ms (${((frame.length / streamNs) * 1e3).toFixed(0)} MB/s)`,
);

const figures: Figure[] = [...recorded].map(([name, ns]) =>
  name.startsWith("duplex stream")
    ? figure(
        `protocol: ${name}`,
        "ms",
        ns.map((v) => v / 1e6),
      )
    : figure(
        `protocol: ${name}`,
        "µs",
        ns.map((v) => v / 1000),
      ),
);
writeBenchJson({ bench: "protocol", figures });
