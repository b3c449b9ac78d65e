// Key files (docs/protocol.md §6.3): pure parse, format and generate; the caller does the file
// I/O (mode 0600, owner root). One key per line: `<id> <64 hex digits> [send]`; `#` comments.
// Exactly one key is marked `send` (or the only key is); all listed keys are accepted on receive.
import { randomBytes } from "node:crypto";
import { type AuthKey, createAuthKey } from "./auth.js";
import { KEY_SECRET_SIZE, MAX_U32 } from "./constants.js";
import { ProtocolError } from "./errors.js";

export interface KeyRing {
  /** Every key accepted on receive. */
  keys: AuthKey[];
  /** The key used to sign. */
  send: AuthKey;
}

const LINE_RE = /^(\d{1,10})\s+([0-9a-fA-F]{64})(?:\s+(send))?$/;

/** Parses a key file's text; throws ProtocolError(PROTOCOL_BAD_KEY_FILE) naming the line. */
export function parseKeyFile(text: string): KeyRing {
  const keys: AuthKey[] = [];
  let send: AuthKey | undefined;
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.replace(/#.*$/, "").trim();
    if (line === "") continue;
    const m = LINE_RE.exec(line);
    if (!m) throw bad(i, "expected `<id> <64 hex digits> [send]`");
    const id = Number(m[1]);
    if (id < 1 || id > MAX_U32) throw bad(i, "key id must be 1..4294967295");
    if (keys.some((k) => k.id === id)) throw bad(i, `key id ${id} listed twice`);
    const key = createAuthKey(id, new Uint8Array(Buffer.from(m[2]!, "hex")));
    keys.push(key);
    if (m[3]) {
      if (send) throw bad(i, "more than one key marked send");
      send = key;
    }
  }
  if (keys.length === 0) throw new ProtocolError("PROTOCOL_BAD_KEY_FILE", "key file holds no key");
  if (!send) {
    if (keys.length > 1)
      throw new ProtocolError("PROTOCOL_BAD_KEY_FILE", "several keys and none marked send");
    send = keys[0]!;
  }
  return { keys, send };
}

/** Formats a key ring as key-file text (the secret is written: store it with mode 0600). */
export function formatKeyFile(ring: KeyRing): string {
  const lines = ["# haconn shared keys: <key id> <secret, 64 hex digits> [send]. Mode 0600, owner root."];
  for (const k of ring.keys) {
    const hex = Buffer.from(k.secret).toString("hex");
    lines.push(`${k.id} ${hex}${k.id === ring.send.id ? " send" : ""}`);
  }
  return `${lines.join("\n")}\n`;
}

/** A new key: 32 random bytes from the system CSPRNG. */
export function generateAuthKey(id: number): AuthKey {
  if (!Number.isInteger(id) || id < 1 || id > MAX_U32) {
    throw new ProtocolError("PROTOCOL_BAD_VALUE", "key id must be 1..4294967295");
  }
  return createAuthKey(id, new Uint8Array(randomBytes(KEY_SECRET_SIZE)));
}

function bad(index: number, what: string): ProtocolError {
  return new ProtocolError("PROTOCOL_BAD_KEY_FILE", `key file line ${index + 1}: ${what}`);
}
