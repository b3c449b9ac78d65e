// OpenSSH-style host key fingerprints: `SHA256:` + base64 of the SHA-256 of the key blob,
// without `=` padding — what `ssh-keygen -lf` and the ssh client print.
import { createHash } from "node:crypto";

const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

/** Fingerprint of a raw public key blob (the ssh wire form, as ssh2's hostVerifier receives it). */
export function hostKeyFingerprint(rawKey: Uint8Array): string {
  const digest = createHash("sha256").update(rawKey).digest("base64");
  return `SHA256:${digest.replace(/=+$/, "")}`;
}

/**
 * Fingerprint of a public key line as in `*.pub` or known_hosts (`ssh-ed25519 AAAA… comment`).
 * Undefined when the text holds no base64 key blob.
 */
export function publicKeyLineFingerprint(line: string): string | undefined {
  const blob = line.trim().split(/\s+/)[1];
  if (blob === undefined || !/^[A-Za-z0-9+/]+={0,2}$/.test(blob)) return undefined;
  return hostKeyFingerprint(Buffer.from(blob, "base64"));
}

/** True for a well-formed `SHA256:<43 base64 chars>` fingerprint. */
export function isFingerprint(value: string): boolean {
  return FINGERPRINT.test(value);
}

/**
 * Normalizes operator input: trims, accepts a trailing `=` (some tools keep the padding) and a
 * lower-case `sha256:` prefix. Undefined when it is not a SHA-256 fingerprint at all.
 */
export function normalizeFingerprint(value: string): string | undefined {
  const match = /^sha256:([A-Za-z0-9+/]{43})=?$/i.exec(value.trim());
  return match ? `SHA256:${match[1]}` : undefined;
}
