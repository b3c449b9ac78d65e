import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeDirectory } from "./make-directory.js";

describe("makeDirectory", () => {
  it("creates missing parents and accepts an existing directory", async () => {
    const root = await mkdtemp(join(tmpdir(), "mkdir-"));
    try {
      const dir = join(root, "a", "b", "c");
      await makeDirectory(dir, 0o700);
      await makeDirectory(dir, 0o700);
      expect((await stat(dir)).isDirectory()).toBe(true);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it("fails at once under /proc, where Node's recursive mkdir spins forever (issue #20 case 18)", async () => {
    const started = Date.now();
    await expect(makeDirectory("/proc/haconn/etc", 0o700)).rejects.toMatchObject({
      code: expect.any(String),
    });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
