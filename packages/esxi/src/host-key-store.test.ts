import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FileHostKeyStore, hostIdOf, MemoryHostKeyStore } from "./host-key-store.js";

const dir = mkdtempSync(join(tmpdir(), "esxi-hk-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const FP1 = `SHA256:${"1".repeat(43)}`;
const FP2 = `SHA256:${"2".repeat(43)}`;

describe("FileHostKeyStore", () => {
  it("starts empty, records atomically and reads records back", async () => {
    const path = join(dir, "hostkeys.json");
    const store = new FileHostKeyStore(path);
    expect(await store.get("127.0.0.1:22")).toBeUndefined();
    await Promise.all([store.put("127.0.0.1:22", FP1), store.put(hostIdOf("127.0.0.2", 2222), FP2)]);
    expect(await new FileHostKeyStore(path).list()).toEqual({ "127.0.0.1:22": FP1, "127.0.0.2:2222": FP2 });
    expect(JSON.parse(readFileSync(path, "utf8")).version).toBe(1);
    expect(statSync(path).mode & 0o777).toBe(0o644);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("refuses malformed fingerprints and foreign files", async () => {
    const path = join(dir, "other.json");
    await expect(new FileHostKeyStore(path).put("h:22", "MD5:xx")).rejects.toThrow(TypeError);
    writeFileSync(path, '{"something": "else"}');
    await expect(new FileHostKeyStore(path).get("h:22")).rejects.toThrow(/not a host key file/);
    writeFileSync(path, "root:*:20200:0:99999:7:::\n");
    const error = await new FileHostKeyStore(path).get("h:22").catch((e: Error) => e);
    expect((error as Error).message).toMatch(/not valid JSON/);
    expect((error as Error).message).not.toMatch(/root|20200/);
  });
});

describe("MemoryHostKeyStore", () => {
  it("keeps records in memory", async () => {
    const store = new MemoryHostKeyStore({ "a:22": FP1 });
    await store.put("b:22", FP2);
    expect(store.entries()).toEqual({ "a:22": FP1, "b:22": FP2 });
  });
});
