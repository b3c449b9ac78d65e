// The security fields of the configuration (docs/security.md): the insecure switch, the
// fence_kdump listener (off unless configured), the per-system monitor allow-list, and the
// store's refusal of oversized or non-JSON files without quoting them.
import { mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveConfig } from "./resolve.js";
import { ConfigStore } from "./store/config-store.js";
import { sampleConfig } from "./test/index.js";
import { MAX_CONFIG_BYTES, monitorSourceAllowed } from "./types.js";
import { validateConfig } from "./validate.js";

describe("security fields", () => {
  it("defaults: key required, kdump listener off, any monitor address", () => {
    const r = resolveConfig(sampleConfig());
    expect(r.resetPathInsecure).toBe(false);
    expect(r.kdumpPort).toBeNull();
    expect(monitorSourceAllowed(r, "PSERVER1", "192.0.2.99")).toBe(true);
  });

  it("resolves insecure, kdump and the allow-list; the allow-list is enforced by address", () => {
    const c = sampleConfig();
    c.resetpath = { ...c.resetpath!, insecure: true };
    c.kdump = { port: 7410 };
    c.pservers[0]!.monitorAddrs = ["127.0.0.21"];
    const r = resolveConfig(c);
    expect(r.resetPathInsecure).toBe(true);
    expect(r.kdumpPort).toBe(7410);
    expect(monitorSourceAllowed(r, c.pservers[0]!.name, "127.0.0.21")).toBe(true);
    expect(monitorSourceAllowed(r, c.pservers[0]!.name, "127.0.0.22")).toBe(false);
  });

  it("refuses a kdump port equal to the reset-path port, bad and duplicate allow-list entries", () => {
    const c = sampleConfig();
    c.kdump = { port: c.resetpath!.port };
    expect(validateConfig(c)).toMatchObject({ ok: false, issues: [{ path: "/kdump/port" }] });
    const d = sampleConfig();
    d.pservers[0]!.monitorAddrs = ["127.0.0.300"];
    expect(validateConfig(d)).toMatchObject({ ok: false, issues: [{ path: "/pservers/0/monitorAddrs/0" }] });
    d.pservers[0]!.monitorAddrs = ["127.0.0.1", "127.0.0.1"];
    expect(validateConfig(d).ok).toBe(false);
  });
});

describe("ConfigStore reads", () => {
  it("refuses a file over 1 MiB and a non-JSON file without echoing it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "haconn-cfgsec-"));
    try {
      const store = new ConfigStore(dir);
      await writeFile(store.path, `{"a":"${"x".repeat(MAX_CONFIG_BYTES)}"}`);
      await expect(store.read()).rejects.toMatchObject({ code: "CONFIG_TOO_LARGE" });
      await rm(store.path);
      const shadow = join(dir, "shadow");
      await writeFile(shadow, "root:*:20200:0:99999:7:::\n");
      await symlink(shadow, store.path);
      const error = await store.read().catch((e: Error) => e);
      expect(error).toMatchObject({ code: "CONFIG_CORRUPT" });
      expect((error as Error).message).toMatch(/not valid JSON/);
      expect((error as Error).message).not.toMatch(/root|20200/);
      expect(JSON.stringify(error)).not.toMatch(/root:|20200/);
      expect((error as Error).cause).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
