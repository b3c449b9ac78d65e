// The reset-path key file (docs/protocol.md §8.3): `<keyId> <64 hex digits> [send]` per line.
// Refused, never used: a symbolic link, anything but a regular file, a file group or others can
// read or write, a file owned by another user than the caller's, a file over 64 KiB. Errors
// name the file and the reason, never its contents.
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { type KeyRing, parseKeyFile } from "@haconn/protocol";
import { ClientError } from "./errors.js";

export const MAX_KEY_FILE_BYTES = 64 * 1024;
/** Where the packaged connector keeps the key; HA monitors install the same file. */
export const DEFAULT_KEY_FILE = "/etc/opt/hitachi/haconn2/resetpath.key";

export interface KeyFileOptions {
  /** The uid that must own the file: default this process's effective uid; null: not checked. */
  owner?: number | null;
}

/** What the checks look at, from fstat: pure, so the rules are unit-tested without files. */
export interface KeyFileFacts {
  isFile: boolean;
  mode: number;
  uid: number;
  size: number;
}

/** The reason a key file is refused, or undefined when it may be read. */
export function keyFileProblem(path: string, f: KeyFileFacts, owner: number | null): ClientError | undefined {
  if (!f.isFile)
    return new ClientError("KEY_FILE_TYPE", `${path} is not a regular file`, { details: { path } });
  if ((f.mode & 0o077) !== 0) {
    const mode = (f.mode & 0o777).toString(8).padStart(4, "0");
    return new ClientError(
      "KEY_FILE_MODE",
      `${path} has mode ${mode}: group or others may access it; chmod 600 it`,
      { details: { path, mode } },
    );
  }
  if (owner !== null && f.uid !== owner) {
    return new ClientError(
      "KEY_FILE_OWNER",
      `${path} belongs to uid ${f.uid}, not to uid ${owner}: chown it`,
      {
        details: { path, uid: f.uid, expected: owner },
      },
    );
  }
  if (f.size > MAX_KEY_FILE_BYTES) {
    return new ClientError("KEY_FILE_SIZE", `${path} is larger than ${MAX_KEY_FILE_BYTES} bytes`, {
      details: { path },
    });
  }
  return undefined;
}

/** Reads and parses a key file after the checks above; throws ClientError (KEY_FILE_*). */
export function loadKeyFile(path: string, options: KeyFileOptions = {}): KeyRing {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
    if (code === "ELOOP") {
      throw new ClientError("KEY_FILE_TYPE", `${path} is a symbolic link: give the key file itself`, {
        details: { path },
      });
    }
    throw new ClientError("KEY_FILE_IO", `cannot read ${path}: ${code}`, { cause, details: { path } });
  }
  try {
    const st = fstatSync(fd);
    const owner = options.owner === undefined ? (process.geteuid?.() ?? null) : options.owner;
    const problem = keyFileProblem(
      path,
      { isFile: st.isFile(), mode: st.mode, uid: st.uid, size: st.size },
      owner,
    );
    if (problem) throw problem;
    const buffer = Buffer.alloc(MAX_KEY_FILE_BYTES + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > MAX_KEY_FILE_BYTES)
        throw keyFileProblem(path, { isFile: true, mode: 0, uid: 0, size: length }, null)!;
    }
    return parseKeyText(path, buffer.subarray(0, length).toString("utf8"));
  } finally {
    closeSync(fd);
  }
}

/** Parses key-file text; KEY_FILE_FORMAT names the line, never the secret. */
export function parseKeyText(path: string, text: string): KeyRing {
  try {
    return parseKeyFile(text);
  } catch (cause) {
    throw new ClientError("KEY_FILE_FORMAT", `${path}: ${(cause as Error).message}`, { details: { path } });
  }
}
