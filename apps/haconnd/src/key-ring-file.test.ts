import { chownSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatKeyFile, generateAuthKey } from "@haconn/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { readKeyRing } from "./key-ring-file.js";

describe("readKeyRing", () => {
  const dirs: string[] = [];
  const file = (mode: number) => {
    const dir = mkdtempSync(join(tmpdir(), "haconn-key-"));
    dirs.push(dir);
    const path = join(dir, "duplex.key");
    const key = generateAuthKey(7);
    writeFileSync(path, formatKeyFile({ keys: [key], send: key }), { mode });
    return path;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it("reads a 0600 key file; an absent file means no key", () => {
    expect(readKeyRing(file(0o600))?.send.id).toBe(7);
    expect(readKeyRing("/nonexistent/haconn/duplex.key")).toBeUndefined();
  });

  it("refuses a key file readable by group or others", () => {
    expect(() => readKeyRing(file(0o640))).toThrow(/chmod 600/);
    expect(() => readKeyRing(file(0o604))).toThrow(expect.objectContaining({ code: "KEY_FILE_MODE" }));
  });

  it("refuses a key file another user owns (the daemon's user must own it)", () => {
    const path = file(0o600);
    expect(() => readKeyRing(path, { owner: 4242 })).toThrow(
      expect.objectContaining({ code: "KEY_FILE_OWNER", message: expect.stringMatching(/uid 4242/) }),
    );
    if (process.geteuid?.() === 0) {
      chownSync(path, 4242, 4242);
      expect(() => readKeyRing(path)).toThrow(expect.objectContaining({ code: "KEY_FILE_OWNER" }));
      expect(readKeyRing(path, { owner: 4242 })?.send.id).toBe(7);
    }
  });

  it("refuses a symbolic link and a non-key file without echoing its contents", () => {
    const path = file(0o600);
    const link = join(path, "..", "link.key");
    symlinkSync(path, link);
    expect(() => readKeyRing(link)).toThrow(expect.objectContaining({ code: "KEY_FILE_TYPE" }));
    const junk = join(path, "..", "junk.key");
    writeFileSync(junk, "root:*:20200:0:99999:7:::\n", { mode: 0o600 });
    let message = "";
    try {
      readKeyRing(junk);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/line 1/);
    expect(message).not.toMatch(/root:/);
  });
});
