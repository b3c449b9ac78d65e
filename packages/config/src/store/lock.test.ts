import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isConfigError } from "../errors-catalog.js";
import { acquireLock, processAlive } from "./lock.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "haconn-lock-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe("acquireLock", () => {
  it("excludes a second holder until released", async () => {
    const path = join(dir, "x.lock");
    const release = await acquireLock(path);
    expect((await readFile(path, "utf8")).split("\n")[0]).toBe(String(process.pid));
    const order: string[] = [];
    const second = acquireLock(path).then(async (r) => {
      order.push("second");
      await r();
    });
    await new Promise((r) => setTimeout(r, 100));
    order.push("first-release");
    await release();
    await second;
    expect(order).toEqual(["first-release", "second"]);
  });

  it("times out with CONFIG_LOCKED naming the holder", async () => {
    const path = join(dir, "x.lock");
    await writeFile(path, `${process.pid}\ntoken\n`);
    const error = await acquireLock(path, { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(isConfigError(error, "CONFIG_LOCKED")).toBe(true);
    expect((error as Error).message).toContain(`process ${process.pid}`);
  });

  it("takes over a lock whose owner is dead", async () => {
    const path = join(dir, "x.lock");
    await writeFile(path, "999999\nold\n");
    const release = await acquireLock(path, { timeoutMs: 5000, isAlive: (pid) => pid !== 999999 });
    expect((await readFile(path, "utf8")).split("\n")[0]).toBe(String(process.pid));
    await release();
  });

  it("knows this process is alive", () => {
    expect(processAlive(process.pid)).toBe(true);
  });
});
