import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isClientError } from "./errors.js";
import { keyFileProblem, loadKeyFile, MAX_KEY_FILE_BYTES } from "./key-file.js";

const SECRET = "7c1e0d2f8a9b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5";
const dir = mkdtempSync(join(tmpdir(), "haconn-client-key-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string, mode = 0o600): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}

function refusal(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (!isClientError(e)) throw e;
    expect(e.message).not.toContain(SECRET);
    return { code: e.code, message: e.message };
  }
  throw new Error("not refused");
}

describe("loadKeyFile", () => {
  it("reads a 0600 key file of the caller's own", () => {
    const ring = loadKeyFile(file("ok.key", `# comment\n1 ${"00".repeat(32)}\n2 ${SECRET} send\n`));
    expect(ring.keys.map((k) => k.id)).toEqual([1, 2]);
    expect(ring.send.id).toBe(2);
  });

  it("refuses a file group or others may read or write", () => {
    for (const mode of [0o640, 0o604, 0o620, 0o666]) {
      const r = refusal(() => loadKeyFile(file(`m${mode.toString(8)}.key`, `1 ${SECRET}\n`, mode)));
      expect(r.code).toBe("KEY_FILE_MODE");
      expect(r.message).toMatch(/chmod 600/);
    }
  });

  it("refuses a file owned by another user", () => {
    const path = file("owner.key", `1 ${SECRET}\n`);
    const r = refusal(() => loadKeyFile(path, { owner: (process.geteuid?.() ?? 0) + 1 }));
    expect(r.code).toBe("KEY_FILE_OWNER");
    expect(loadKeyFile(path, { owner: null }).send.id).toBe(1);
  });

  it("refuses a symbolic link, a directory, a missing file, a file over 64 KiB", () => {
    const target = file("target.key", `1 ${SECRET}\n`);
    symlinkSync(target, join(dir, "link.key"));
    expect(refusal(() => loadKeyFile(join(dir, "link.key"))).code).toBe("KEY_FILE_TYPE");
    expect(refusal(() => loadKeyFile(dir)).code).toBe("KEY_FILE_TYPE");
    expect(refusal(() => loadKeyFile(join(dir, "absent.key"))).code).toBe("KEY_FILE_IO");
    const big = file("big.key", `1 ${SECRET}\n${"#".repeat(MAX_KEY_FILE_BYTES)}\n`);
    expect(refusal(() => loadKeyFile(big)).code).toBe("KEY_FILE_SIZE");
  });

  it("a malformed file names the line, never the secret", () => {
    const r = refusal(() => loadKeyFile(file("bad.key", `1 ${SECRET} send\n2 ${SECRET.slice(2)}\n`)));
    expect(r.code).toBe("KEY_FILE_FORMAT");
    expect(r.message).toMatch(/line 2/);
  });
});

describe("keyFileProblem (pure rules)", () => {
  const ok = { isFile: true, mode: 0o100600, uid: 1000, size: 100 };
  it("accepts 0600 / 0400 of the owner", () => {
    expect(keyFileProblem("k", ok, 1000)).toBeUndefined();
    expect(keyFileProblem("k", { ...ok, mode: 0o100400 }, 1000)).toBeUndefined();
  });
  it("refuses mode, owner, size, type", () => {
    expect(keyFileProblem("k", { ...ok, mode: 0o100644 }, 1000)?.code).toBe("KEY_FILE_MODE");
    expect(keyFileProblem("k", ok, 0)?.code).toBe("KEY_FILE_OWNER");
    expect(keyFileProblem("k", ok, null)).toBeUndefined();
    expect(keyFileProblem("k", { ...ok, size: MAX_KEY_FILE_BYTES + 1 }, 1000)?.code).toBe("KEY_FILE_SIZE");
    expect(keyFileProblem("k", { ...ok, isFile: false }, 1000)?.code).toBe("KEY_FILE_TYPE");
  });
});
