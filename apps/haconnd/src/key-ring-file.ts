// Reading a key file (duplex.key, resetpath.key; docs/protocol.md): absent means "no key";
// a file readable by group or others is refused, never used.

import { existsSync, readFileSync, statSync } from "node:fs";
import { HaconnError } from "@haconn/config";
import { type KeyRing, parseKeyFile } from "@haconn/protocol";

export function readKeyRing(path: string): KeyRing | undefined {
  if (!existsSync(path)) return undefined;
  if ((statSync(path).mode & 0o077) !== 0) {
    throw new HaconnError("KEY_FILE_MODE", `${path} is readable by group or others: chmod 600 it`);
  }
  return parseKeyFile(readFileSync(path, "utf8"));
}
