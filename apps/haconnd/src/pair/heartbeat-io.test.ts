import { initialState } from "@haconn/ha";
import { describe, expect, it } from "vitest";
import type { HaEvent } from "@haconn/ha";
import { dispatchHeartbeat, heartbeatBody } from "./heartbeat-io.js";

const state = initialState({ self: "HACON1", peerName: "HACON2", preferred: true, now: 0, term: 4 });
const view = {
  state,
  synced: false,
  leaving: false,
  heartbeatMs: 200,
  sharedVersion: () => 42,
  mirrorVersion: 7,
  wireDigest: "ab".repeat(32),
  nodeName: "HACON1",
};

describe("heartbeat-io", () => {
  it("a leaving node says the version it served, a standby its mirror's", () => {
    expect(heartbeatBody(view).stateVersion).toBe(7);
    expect(heartbeatBody({ ...view, leaving: true })).toMatchObject({
      stateVersion: 42,
      flags: { leaving: true },
    });
    expect(heartbeatBody(view)).toMatchObject({ term: 4, configDigest: "ab".repeat(32), intervalMs: 200 });
  });

  it("a leaving peer's heartbeat is a hand-over first, then a heartbeat", () => {
    const events: HaEvent[] = [];
    let local = 3;
    const body = heartbeatBody({ ...view, leaving: true });
    dispatchHeartbeat(
      body,
      5,
      () => local,
      (e) => {
        events.push(e);
        local = 9; // the hand-over changed this node's role: the version is read after it
      },
    );
    expect(events.map((e) => e.type)).toEqual(["handover", "heartbeat"]);
    expect(events[1]).toMatchObject({ localStateVersion: 9 });
  });
});
