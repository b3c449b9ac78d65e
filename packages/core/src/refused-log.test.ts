// RESETs of a registered requester that are refused or answered from the state: their reset-log
// lines are limited to one group per reason per source a minute and counted (issue #17 point 4);
// the lines of a reset carried out, and its result, never are.
import { afterEach, describe, expect, it } from "vitest";
import { MAX_WAITING } from "./reset-request.js";
import { buildConfig, EngineHarness } from "./test/index.js";

const harnesses: EngineHarness[] = [];
afterEach(() => {
  for (const h of harnesses.splice(0)) h.stop();
});

function pair(): EngineHarness {
  const h = new EngineHarness(buildConfig({ servers: [{ name: "PSERVER1" }, { name: "PSERVER2" }] }));
  harnesses.push(h);
  h.check(10001, "PSERVER1");
  h.check(10002, "PSERVER2");
  return h;
}

const resetLines = (h: EngineHarness) => h.lines.filter((l) => l.includes("RM-RESET"));

describe("reset-log lines of refused RESETs from a registered requester", () => {
  it("3000 refused RESETs (unknown target, self) write one group of lines per reason a minute, all counted", async () => {
    const h = pair();
    for (let i = 0; i < 1500; i++) h.reset(10002, 10077, "PSERVER1", i); // unknown target
    for (let i = 0; i < 1500; i++) h.reset(10002, 10002, "PSERVER2", 5000 + i); // itself
    expect(h.sentOf("sendResult")).toHaveLength(3000); // each is still answered (stateless)
    expect(resetLines(h)).toHaveLength(4); // RECV + SEND, per reason
    expect(h.runner.limitedLog.byReason).toEqual({
      "ERROR/unknownTarget": 1500,
      "ERROR/invalidRequester": 1500,
    });
    expect(h.runner.limitedLog.suppressed).toBe(2998);
    expect(h.notices.filter((n) => n.includes("RESET 127.0.0.102"))).toHaveLength(2);
    // A minute later: one more group, and a line saying how many were not written.
    await h.clock.advance(60_000);
    h.reset(10002, 10077, "PSERVER1", 9000);
    expect(resetLines(h)).toHaveLength(6);
    const reported = h.notices.map((n) => /(\d+) refused RESET\(s\) not logged/.exec(n)?.[1]).filter(Boolean);
    expect(reported.reduce((sum, n) => sum + Number(n), 0)).toBe(2998);
  });

  it("a reset carried out is always logged, with its result, in the middle of a flood of refusals", async () => {
    const h = pair();
    for (let i = 0; i < 500; i++) h.reset(10002, 10077, "PSERVER1", i);
    h.reset(10002, 10001, "PSERVER1", 777); // the real request
    for (let i = 0; i < 500; i++) h.reset(10002, 10077, "PSERVER1", 1000 + i);
    await h.clock.advance(100);
    h.dump(10001);
    await h.clock.advance(100);
    const lines = h.lines.filter((l) => l.includes("RM-RESET") || l.includes("SOFTRESET"));
    // The refusals' one group, then the real request: RECV, NMI sent, result DUMP sent.
    expect(lines.filter((l) => l.includes("RM-RESET") && l.includes("RECV"))).toHaveLength(2);
    expect(lines.some((l) => l.includes("SOFTRESET") && l.includes("SEND"))).toBe(true);
    expect(
      lines.filter((l) => l.includes("RM-RESET") && l.includes("SEND") && l.includes("DUMP")),
    ).toHaveLength(1);
  });

  it("new request ids from a requester waiting for a running reset: at most MAX_WAITING wait, the rest ERROR", async () => {
    const h = pair();
    h.reset(10002, 10001, "PSERVER1", 1); // starts the reset
    for (let i = 2; i < 2000; i++) h.reset(10002, 10001, "PSERVER1", i);
    expect(h.state.shared.jobs["6001/10001"]?.requesters).toHaveLength(MAX_WAITING);
    expect(h.sentOf("sendAccepted")).toHaveLength(MAX_WAITING);
    expect(resetLines(h).length).toBeLessThanOrEqual(MAX_WAITING + 2);
    await h.clock.advance(100);
    h.dump(10001);
    await h.clock.advance(100);
    // Each waiting request gets its result, and its SEND line.
    expect(h.sentOf("sendResult").filter((r) => r.result === "DUMP")).toHaveLength(MAX_WAITING);
    expect(resetLines(h).filter((l) => l.includes("DUMP"))).toHaveLength(MAX_WAITING);
  });
});
