// Interoperability: a Python client written from docs/protocol.md alone, against the codec.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { createAuthKey, type KeyRing } from "@haconn/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { HamonSimFakeConnector } from "../../src/hamon-sim/fake-connector.js";

const run = promisify(execFile);
const client = join(import.meta.dirname, "hamon_client.py");
let connector: HamonSimFakeConnector | undefined;

afterEach(async () => {
  await connector?.stop();
  connector = undefined;
});

function steps(stdout: string): Record<string, unknown>[] {
  return stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe.each([
  ["unsigned", undefined],
  ["signed", "5 " + "5a".repeat(32)],
])("python client from the specification (%s)", (_label, keyEnv) => {
  it("registers, resets, gets the result and ATTENTION, notifies a dump, and learns the version", async () => {
    const key: KeyRing | undefined = keyEnv
      ? (() => {
          const k = createAuthKey(5, new Uint8Array(Buffer.from("5a".repeat(32), "hex")));
          return { keys: [k], send: k };
        })()
      : undefined;
    connector = await HamonSimFakeConnector.start({ key, resultDelayMs: 100, repeatMs: 300 });
    const { stdout } = await run("python3", [client, "127.0.0.1", String(connector.endpoint.port)], {
      timeout: 25_000,
      // The signed run also sets the RESET's FENCE flag (the unsigned one keeps plain RESETs).
      env: { ...process.env, HACONN_KEY: keyEnv ?? "", HACONN_FENCE: keyEnv ? "1" : "" },
    });
    const s = steps(stdout);
    expect(s.filter((x) => x.step === "check")).toHaveLength(2);
    expect(s).toContainEqual(
      expect.objectContaining({ step: "check", subsystem: 20001, resettable: true, role: 1 }),
    );
    expect(s).toContainEqual({ step: "reset-result", result: "DUMP", detail: 0 });
    expect(s).toContainEqual(
      expect.objectContaining({ step: "attention", state: "DUMP", target: 20001, system: "PYSYS1" }),
    );
    expect(s).toContainEqual({ step: "dump-ack", status: 2 });
    expect(s).toContainEqual({ step: "unsupported-version", min: 1, max: 1 });
    expect(s.at(-1)).toEqual({ step: "done" });
    // What the Python client sent decoded cleanly on our side, signed when a key was set.
    expect(connector.channel.drops["bad-mac"] + connector.channel.drops["bad-body"]).toBe(0);
    expect(connector.resetsStarted).toBe(1);
    const resets = connector.received.filter((m) => m.type === "reset");
    expect(resets.map((m) => m.header.attempt)).toEqual([0, 1]);
    if (keyEnv) expect(resets.every((m) => m.auth?.keyId === 5)).toBe(true);
    else expect(resets.every((m) => m.auth === undefined)).toBe(true);
    // FENCE (flags bit 1) as the page describes it decodes to body.fence, under the tag.
    expect(resets.map((m) => m.type === "reset" && m.body.fence === true)).toEqual(
      keyEnv ? [true, true] : [false, false],
    );
    expect(new Set(connector.attentionAcks.map((a) => a.subsystem))).toEqual(new Set([20001, 20002]));
  });
});
