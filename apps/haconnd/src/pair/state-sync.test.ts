import { emptySharedState } from "@haconn/core";
import { buildConfig, EngineHarness } from "@haconn/core/test";
import { type DuplexMessage, decodeDuplex, encodeDuplex, MAX_STREAM_FRAME } from "@haconn/protocol";
import { afterEach, describe, expect, it } from "vitest";
import {
  mirrorOfSnapshot,
  mirrorWithDelta,
  type SyncSender,
  sendDeltas,
  sendSnapshot,
} from "./state-sync.js";

/** A sender that encodes and decodes each frame as the stream would (unsigned here). */
function wire(): SyncSender & { frames: DuplexMessage[] } {
  const frames: DuplexMessage[] = [];
  return {
    frames,
    send(type, body) {
      const header = { requestId: frames.length + 1, senderId: 1, timestampMs: 0, attempt: 0 };
      const frame = encodeDuplex({ type, header, body } as DuplexMessage);
      const r = decodeDuplex(frame, { now: 0, maxLength: MAX_STREAM_FRAME });
      if (!r.ok) throw new Error(`frame does not decode: ${r.reason}`);
      frames.push(r.value);
      return frames.length;
    },
  };
}

const harnesses: EngineHarness[] = [];
afterEach(() => {
  for (const h of harnesses.splice(0)) h.stop();
});

function active() {
  const config = buildConfig({
    servers: [
      { name: "PSERVER1", cluster: true },
      { name: "PSERVER2", cluster: true },
    ],
  });
  const h = new EngineHarness(config);
  harnesses.push(h);
  return h;
}

describe("state sync frames", () => {
  it("a snapshot, then the deltas in order, rebuild the active's state on the standby", async () => {
    const h = active();
    h.check(10001, "PSERVER1", { pair: 10002 });
    const s = wire();
    sendSnapshot(s, 3, h.state.shared);
    const sentUpTo = h.deltas.length;
    h.check(10002, "PSERVER2", { pair: 10001 });
    h.reset(10001, 10002, "PSERVER2", 1);
    await h.clock.advance(100);
    sendDeltas(s, 3, h.deltas.slice(sentUpTo));
    sendDeltas(s, 3, []); // nothing new: no frame
    expect(s.frames.map((f) => f.type)).toEqual(["snapshot", "delta"]);
    const [snap, delta] = s.frames as [
      Extract<DuplexMessage, { type: "snapshot" }>,
      Extract<DuplexMessage, { type: "delta" }>,
    ];
    let mirror = mirrorOfSnapshot(snap.body)!;
    mirror = mirrorWithDelta(mirror, delta.body)!;
    expect(JSON.parse(JSON.stringify(mirror))).toEqual(JSON.parse(JSON.stringify(h.state.shared)));
    expect(mirror.recent.list()).toEqual(h.state.shared.recent.list());
    expect(delta.body.stateVersion).toBe(h.state.shared.version);
  });

  it("a SNAPSHOT whose recent requests are keyed by request (an older build) is read as the list", () => {
    const entry = { key: "127.0.0.102:6001#9", target: "6001/10001", result: "DUMP" as const, at: 5 };
    const state = { ...emptySharedState(), version: 7, recent: { [entry.key]: entry } };
    const mirror = mirrorOfSnapshot({
      term: 1,
      stateVersion: 7,
      state: { encoding: "json", data: JSON.parse(JSON.stringify(state)) },
    } as never)!;
    expect(mirror.recent.list()).toEqual([entry]);
    expect(mirror.version).toBe(7);
  });

  it("a delta that does not follow the mirror's version is a gap: it throws", async () => {
    const h = active();
    h.check(10001, "PSERVER1", { pair: 10002 });
    h.check(10002, "PSERVER2", { pair: 10001 });
    const s = wire();
    sendDeltas(s, 1, h.deltas.slice(1));
    const delta = s.frames[0] as Extract<DuplexMessage, { type: "delta" }>;
    expect(() => mirrorWithDelta(emptySharedState(), delta.body)).toThrow();
  });
});
