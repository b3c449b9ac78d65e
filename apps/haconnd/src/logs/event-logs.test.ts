import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openEventLogs } from "./event-logs.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "haconn-evlog-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const read = (name: string) =>
  readFileSync(join(dir, name), "utf8")
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));

describe("event logs", () => {
  it("routes by level to eventlog, altlog and errlog with the injected time", () => {
    const system: string[] = [];
    const logs = openEventLogs({
      dir,
      now: () => Date.UTC(2026, 0, 2, 3, 4, 5),
      node: "HACON1",
      system: (l) => system.push(l),
    });
    logs.event.info({ server: "PSERVER1" }, "poll ok");
    logs.event.warn({ server: "PSERVER1" }, "bmc link NG");
    logs.event.error({ code: "DEVICE_TIMEOUT" }, "hard reset not acknowledged");
    logs.init.info("haconnd started");
    logs.close();
    expect(read("eventlog1").map((l) => l.msg)).toEqual([
      "poll ok",
      "bmc link NG",
      "hard reset not acknowledged",
      "haconnd started",
    ]);
    expect(read("altlog1").map((l) => l.msg)).toEqual(["bmc link NG", "hard reset not acknowledged"]);
    expect(read("errlog1").map((l) => l.msg)).toEqual(["hard reset not acknowledged"]);
    expect(read("initlog1").map((l) => l.msg)).toEqual(["haconnd started"]);
    expect(read("eventlog1")[0]).toMatchObject({ time: "2026-01-02T03:04:05.000Z", node: "HACON1" });
    expect(system.map((l) => JSON.parse(l).msg)).toEqual([
      "bmc link NG",
      "hard reset not acknowledged",
      "haconnd started",
    ]);
  });

  it("never writes a secret field", () => {
    const logs = openEventLogs({ dir, now: () => 0 });
    logs.event.info(
      { password: "hunter2hunter2", bmc: { password: "s3cretpass" }, community: "public1" },
      "x",
    );
    logs.close();
    const text = readFileSync(join(dir, "eventlog1"), "utf8");
    expect(text).not.toMatch(/hunter2|s3cretpass|public1/);
  });
});
