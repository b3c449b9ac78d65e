import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  hostKeyFingerprint,
  isFingerprint,
  normalizeFingerprint,
  publicKeyLineFingerprint,
} from "./fingerprint.js";

const dir = mkdtempSync(join(tmpdir(), "esxi-fp-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("host key fingerprints", () => {
  it("match what ssh-keygen -lf prints for the same key", () => {
    const key = join(dir, "k");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
    const printed = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", `${key}.pub`], {
      encoding: "utf8",
    });
    const expected = printed.split(" ")[1];
    const line = readFileSync(`${key}.pub`, "utf8");
    expect(publicKeyLineFingerprint(line)).toBe(expected);
    const blob = Buffer.from(line.split(" ")[1] ?? "", "base64");
    expect(hostKeyFingerprint(blob)).toBe(expected);
    expect(isFingerprint(expected ?? "")).toBe(true);
  });

  it("normalizes operator input and refuses other hashes", () => {
    const fp = `SHA256:${"a".repeat(43)}`;
    expect(normalizeFingerprint(` sha256:${"a".repeat(43)}= `)).toBe(fp);
    expect(normalizeFingerprint("MD5:aa:bb")).toBeUndefined();
    expect(normalizeFingerprint(`SHA256:${"a".repeat(42)}`)).toBeUndefined();
    expect(publicKeyLineFingerprint("garbage")).toBeUndefined();
  });
});
