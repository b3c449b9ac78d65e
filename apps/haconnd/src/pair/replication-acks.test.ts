import { SimulatedClock } from "@haconn/core/test";
import { describe, expect, it } from "vitest";
import { ReplicationAcks } from "./replication-acks.js";

describe("ReplicationAcks", () => {
  const streamA = { name: "a" };
  const streamB = { name: "b" };

  it("is false at once while nothing was acknowledged on the stream (serving alone)", async () => {
    const acks = new ReplicationAcks<object>(new SimulatedClock());
    expect(await acks.wait(undefined, 1, 1000)).toBe(false);
    expect(await acks.wait(streamA, 1, 1000)).toBe(false);
    acks.ack(streamB, 5);
    expect(await acks.wait(streamA, 1, 1000)).toBe(false);
  });

  it("is true at once for a version already acknowledged, later for one still to come", async () => {
    const clock = new SimulatedClock();
    const acks = new ReplicationAcks<object>(clock);
    acks.ack(streamA, 3);
    expect(await acks.wait(streamA, 3, 1000)).toBe(true);
    const pending = acks.wait(streamA, 5, 1000);
    let settled: boolean | undefined;
    void pending.then((v) => {
      settled = v;
    });
    acks.ack(streamA, 4);
    await clock.advance(10);
    expect(settled).toBeUndefined();
    acks.ack(streamA, 6);
    expect(await pending).toBe(true);
  });

  it("gives up after the timeout, and when the stream closes", async () => {
    const clock = new SimulatedClock();
    const acks = new ReplicationAcks<object>(clock);
    acks.ack(streamA, 1);
    const late = acks.wait(streamA, 2, 1000);
    await clock.advance(1000);
    expect(await late).toBe(false);
    const closed = acks.wait(streamA, 2, 1000);
    acks.streamClosed(streamA);
    expect(await closed).toBe(false);
    expect(await acks.wait(streamA, 1, 1000)).toBe(false);
  });
});
