import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
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
});
