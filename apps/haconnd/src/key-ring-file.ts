// Reading a key file (duplex.key, resetpath.key; docs/protocol.md §8.3, docs/security.md):
// absent means "no key". Refused, never used: a symlink, anything but a regular file, a file
// readable by group or others, a file not owned by the daemon's own user, a file over 64 KiB.
// Errors name the file and the reason, never its contents.

import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { HaconnError } from "@haconn/config";
import { type KeyRing, parseKeyFile } from "@haconn/protocol";

const MAX_KEY_FILE_BYTES = 64 * 1024;

export interface ReadKeyRingOptions {
  /** The uid that must own the file (default: this process's effective uid; null: not checked). */
  owner?: number | null;
}

export function readKeyRing(path: string, options: ReadKeyRingOptions = {}): KeyRing | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    if (code === "ELOOP")
      throw new HaconnError("KEY_FILE_TYPE", `${path} is a symbolic link: install the key file itself`);
    throw new HaconnError("KEY_FILE_IO", `cannot read ${path}: ${code ?? String(error)}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new HaconnError("KEY_FILE_TYPE", `${path} is not a regular file`);
    if ((st.mode & 0o077) !== 0) {
      throw new HaconnError("KEY_FILE_MODE", `${path} is readable by group or others: chmod 600 it`);
    }
    const owner = options.owner === undefined ? process.geteuid?.() : options.owner;
    if (owner !== undefined && owner !== null && st.uid !== owner) {
      throw new HaconnError(
        "KEY_FILE_OWNER",
        `${path} belongs to uid ${st.uid}, not to the daemon's user (uid ${owner}): chown it (docs/security.md)`,
      );
    }
    if (st.size > MAX_KEY_FILE_BYTES)
      throw new HaconnError("KEY_FILE_SIZE", `${path} is larger than ${MAX_KEY_FILE_BYTES} bytes`);
    const buffer = Buffer.alloc(MAX_KEY_FILE_BYTES + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, length);
      if (n === 0) break;
      length += n;
      if (length > MAX_KEY_FILE_BYTES)
        throw new HaconnError("KEY_FILE_SIZE", `${path} is larger than ${MAX_KEY_FILE_BYTES} bytes`);
    }
    try {
      return parseKeyFile(buffer.subarray(0, length).toString("utf8"));
    } catch (error) {
      // parseKeyFile names the line and what is expected there, never the secret.
      throw new HaconnError("KEY_FILE_FORMAT", `${path}: ${(error as Error).message}`);
    }
  } finally {
    closeSync(fd);
  }
}
