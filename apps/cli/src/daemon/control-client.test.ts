// The CLI's control client against the daemon's ControlServer: results, typed errors, the
// deadline and the bound on a reply line.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeDaemon, startFakeDaemon } from "../testing/fake-daemon.js";
import { controlCall } from "./control-client.js";

let daemon: FakeDaemon;
const sock = () => join(daemon.runDir, "haconnd.sock");

beforeAll(async () => {
  daemon = await startFakeDaemon({
    echo: (args) => ({ echoed: args }),
    hang: () => new Promise(() => undefined),
    big: () => ({ data: "x".repeat(10_000) }),
  });
});
afterAll(() => daemon.stop());

describe("controlCall", () => {
  it("returns the op's result, several calls on their own connections", async () => {
    const results = await Promise.all(
      [1, 2, 3].map((n) => controlCall(sock(), "echo", { n }, { timeoutMs: 5000 })),
    );
    expect(results).toEqual([{ echoed: { n: 1 } }, { echoed: { n: 2 } }, { echoed: { n: 3 } }]);
  });

  it("gives up after its deadline with CONTROL_TIMEOUT", async () => {
    await expect(controlCall(sock(), "hang", {}, { timeoutMs: 200 })).rejects.toMatchObject({
      code: "CONTROL_TIMEOUT",
    });
  });

  it("refuses a reply longer than its bound, and accepts it with a larger one", async () => {
    await expect(controlCall(sock(), "big", {}, { timeoutMs: 5000, maxLine: 1000 })).rejects.toMatchObject({
      code: "CONTROL_IO",
    });
    await expect(
      controlCall(sock(), "big", {}, { timeoutMs: 5000, maxLine: 100_000 }),
    ).resolves.toMatchObject({
      data: expect.any(String),
    });
  });

  it("says NOT_RUNNING when nothing listens", async () => {
    await expect(
      controlCall(join(daemon.runDir, "other.sock"), "echo", {}, { timeoutMs: 5000 }),
    ).rejects.toMatchObject({ code: "NOT_RUNNING" });
  });
});
