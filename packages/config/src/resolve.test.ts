import { describe, expect, it } from "vitest";
import { canonicalJson, configDigest } from "./canonical.js";
import { isConfigError } from "./errors-catalog.js";
import { migrateConfig } from "./migrate.js";
import { resolveConfig } from "./resolve.js";
import { sampleConfig } from "./test/index.js";
import { SCHEMA_VERSION } from "./types.js";

describe("resolveConfig", () => {
  it("returns a deep-frozen copy with digest and hardResetDelayMs", () => {
    const input = sampleConfig({ ipdusd: true });
    const resolved = resolveConfig(input);
    expect(Object.isFrozen(resolved)).toBe(true);
    expect(Object.isFrozen(resolved.pservers[0]!.bmc)).toBe(true);
    expect(Object.isFrozen(resolved.pservers[0]!.outlets)).toBe(true);
    expect(() => {
      (resolved.pservers[0]!.bmc as { addr: string }).addr = "127.0.0.9";
    }).toThrow(TypeError);
    expect(resolved.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(resolved.digest).toBe(configDigest(input));
    expect(resolved.hardResetDelayMs).toBe(5000);
    expect(resolveConfig(sampleConfig({ hispeedMs: 2500 })).hardResetDelayMs).toBe(2500);
    input.pservers[0]!.name = "CHANGED";
    expect(resolved.pservers[0]!.name).toBe("PSERVER1");
  });

  it("digest ignores key order and changes with content", () => {
    const a = sampleConfig();
    const reverse = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(reverse)
        : v && typeof v === "object"
          ? Object.fromEntries(
              Object.entries(v)
                .reverse()
                .map(([k, x]) => [k, reverse(x)]),
            )
          : v;
    const reordered = reverse(a);
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(a));
    expect(canonicalJson({ b: 1, a: [2, { d: 1, c: null }] })).toBe('{"a":[2,{"c":null,"d":1}],"b":1}');
    expect(configDigest(reordered)).toBe(configDigest(a));
    const b = sampleConfig();
    b.pservers[1]!.cluster = true;
    expect(configDigest(b)).not.toBe(configDigest(a));
  });

  it("throws CONFIG_INVALID naming the first violation", () => {
    const bad = sampleConfig();
    bad.pservers[0]!.timeoutSec = 99;
    try {
      resolveConfig(bad);
      expect.unreachable();
    } catch (error) {
      expect(isConfigError(error, "CONFIG_INVALID")).toBe(true);
      expect((error as Error).message).toContain("/pservers/0/timeoutSec");
    }
  });
});

describe("migrateConfig", () => {
  it("passes the current version through and refuses a newer one", () => {
    const doc = sampleConfig();
    expect(migrateConfig(doc)).toBe(doc);
    expect(() => migrateConfig({ ...doc, schemaVersion: SCHEMA_VERSION + 1 })).toThrow(/newer/);
  });

  it("applies migrations step by step", () => {
    const migrations = { 0: (d: Record<string, unknown>) => ({ ...d, added: true }) };
    expect(migrateConfig({ schemaVersion: 0 }, migrations, 1)).toEqual({ schemaVersion: 1, added: true });
    expect(() => migrateConfig({ schemaVersion: 0 }, {}, 1)).toThrow(/no migration from schema version 0/);
  });
});
