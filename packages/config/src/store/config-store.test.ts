import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isConfigError } from "../errors-catalog.js";
import { sampleConfig } from "../test/index.js";
import { emptyConfig, SCHEMA_VERSION } from "../types.js";
import { ConfigStore } from "./config-store.js";

const sha = async (path: string) =>
  createHash("sha256")
    .update(await readFile(path))
    .digest("hex");

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "haconn-store-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe("ConfigStore", () => {
  it("reads an empty configuration when there is no file, and creates the directory on update", async () => {
    const store = new ConfigStore(join(dir, "etc", "haconn2"));
    expect(await store.read()).toEqual(emptyConfig());
    expect(await store.exists()).toBe(false);
    const result = await store.update(() => sampleConfig());
    expect(result.changed).toBe(true);
    expect(await store.read()).toEqual(sampleConfig());
    expect(store.path).toBe(join(dir, "etc", "haconn2", "haconn.json"));
  });

  it("writes 0600 files, keeps the previous version as backup, leaves no temp or lock file", async () => {
    const store = new ConfigStore(dir);
    await store.update(() => sampleConfig());
    const first = await readFile(store.path, "utf8");
    await store.update((draft) => {
      draft.pservers[0]!.cluster = true;
    });
    expect(await readFile(store.backupPath, "utf8")).toBe(first);
    expect((await store.read()).pservers[0]!.cluster).toBe(true);
    expect((await stat(store.path)).mode & 0o777).toBe(0o600);
    expect((await stat(store.backupPath)).mode & 0o777).toBe(0o600);
    expect((await readdir(dir)).sort()).toEqual(["haconn.json", "haconn.json.bak"]);
  });

  it("does not rewrite the file when nothing changed", async () => {
    const store = new ConfigStore(dir);
    await store.update(() => sampleConfig());
    const before = (await stat(store.path, { bigint: true })).mtimeNs;
    const result = await store.update(() => undefined);
    expect(result.changed).toBe(false);
    expect((await stat(store.path, { bigint: true })).mtimeNs).toBe(before);
  });

  it("leaves the file byte-for-byte unchanged when the mutation throws or is invalid", async () => {
    const store = new ConfigStore(dir);
    await store.update(() => sampleConfig());
    const before = await sha(store.path);
    await expect(
      store.update(() => {
        throw new Error("no such server");
      }),
    ).rejects.toThrow("no such server");
    await expect(
      store.update((d) => {
        d.hispeed = { enabled: true, resetTimeMs: 7000 };
      }),
    ).rejects.toSatisfy((e) => isConfigError(e, "CONFIG_INVALID"));
    expect(await sha(store.path)).toBe(before);
    expect(await readdir(dir)).toEqual(["haconn.json"]);
  });

  it("reports a file that is not JSON with its path, and never overwrites it", async () => {
    const store = new ConfigStore(dir);
    await writeFile(store.path, "{ not json");
    const error = await store.read().catch((e: unknown) => e);
    expect(isConfigError(error, "CONFIG_CORRUPT")).toBe(true);
    expect((error as Error).message).toContain(store.path);
    await expect(store.update(() => sampleConfig())).rejects.toSatisfy((e) =>
      isConfigError(e, "CONFIG_CORRUPT"),
    );
    expect(await readFile(store.path, "utf8")).toBe("{ not json");
  });

  it("reports a schema violation with the file path and the JSON path of the first violation", async () => {
    const store = new ConfigStore(dir);
    const bad = sampleConfig();
    (bad.pservers[1] as { timeoutSec: unknown }).timeoutSec = "ten";
    await writeFile(store.path, JSON.stringify(bad));
    const error = await store.read().catch((e: unknown) => e);
    expect(isConfigError(error, "CONFIG_CORRUPT")).toBe(true);
    expect((error as Error).message).toBe(
      `${store.path}: managed server PSERVER2 timeout: must be 5-60 seconds (at /pservers/1/timeoutSec)`,
    );
  });

  it("refuses a file written by a newer version", async () => {
    const store = new ConfigStore(dir);
    await writeFile(store.path, JSON.stringify({ ...sampleConfig(), schemaVersion: SCHEMA_VERSION + 1 }));
    await expect(store.read()).rejects.toSatisfy(
      (e) => isConfigError(e, "CONFIG_VERSION") && (e as Error).message.startsWith(store.path),
    );
  });

  it("serializes updates from one process", async () => {
    const store = new ConfigStore(dir);
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        store.update((d) => {
          d.pdus.push({
            key: `127.0.7.${i}`,
            addr: `127.0.7.${i}`,
            port: 161,
            model: "IBM_PDU",
            profile: null,
          });
        }),
      ),
    );
    expect((await store.read()).pdus).toHaveLength(10);
  });

  it("loses no update when several processes update at once", async () => {
    const worker = fileURLToPath(new URL("./fixtures/update-worker.mjs", import.meta.url));
    const count = 6;
    const runs = Array.from(
      { length: count },
      (_, i) =>
        new Promise<number | null>((resolve, reject) => {
          const child = spawn(process.execPath, [worker, dir, `127.0.8.${i + 1}`], {
            stdio: ["ignore", "ignore", "pipe"],
          });
          let stderr = "";
          child.stderr.on("data", (d) => {
            stderr += d;
          });
          const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
          child.on("error", reject);
          child.on("exit", (code) => {
            clearTimeout(timer);
            if (code !== 0) reject(new Error(`worker ${i} exited ${code}: ${stderr}`));
            else resolve(code);
          });
        }),
    );
    await Promise.all(runs);
    const pdus = (await new ConfigStore(dir).read()).pdus.map((p) => p.key).sort();
    expect(pdus).toEqual(Array.from({ length: count }, (_, i) => `127.0.8.${i + 1}`).sort());
  }, 90_000);
});
