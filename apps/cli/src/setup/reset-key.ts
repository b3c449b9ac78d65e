// The reset-path key (docs/protocol.md §8.3, docs/security.md): created by haconnsetup the first
// time the reset path is set (or on `resetpath key=new`), never overwritten; shown by haconnshow
// setting as present/absent with its key ids, never its value.
import { lstatSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createFileAtomic, directoryOwner, RESET_PATH_KEY_FILE } from "@haconn/config";
import { formatKeyFile, generateAuthKey, parseKeyFile } from "@haconn/protocol";

export interface ResetKeyState {
  present: boolean;
  /** Key ids of the file (send key marked), when it could be read. */
  keyIds: number[];
  sendKeyId: number | null;
  /** Why the daemon would refuse the file (mode, owner, format), or null. */
  problem: string | null;
}

/**
 * Creates `<dir>/resetpath.key` (key id 1, 0600, owned like the directory) unless it exists.
 * Resolves true when a key was created.
 */
export async function createResetPathKey(dir: string): Promise<boolean> {
  const key = generateAuthKey(1);
  const text = formatKeyFile({ keys: [key], send: key });
  return createFileAtomic(join(dir, RESET_PATH_KEY_FILE), text, 0o600, await directoryOwner(dir));
}

/** What haconnshow setting says about the key file (no secret leaves this function). */
export function resetKeyState(dir: string): ResetKeyState {
  const path = join(dir, RESET_PATH_KEY_FILE);
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(path);
  } catch {
    return { present: false, keyIds: [], sendKeyId: null, problem: null };
  }
  const none = { present: true, keyIds: [], sendKeyId: null };
  if (!st.isFile()) return { ...none, problem: "not a regular file" };
  if ((st.mode & 0o077) !== 0)
    return { ...none, problem: `mode ${(st.mode & 0o777).toString(8)}, must be 600` };
  try {
    const ring = parseKeyFile(readFileSync(path, "utf8"));
    return { present: true, keyIds: ring.keys.map((k) => k.id), sendKeyId: ring.send.id, problem: null };
  } catch {
    return { ...none, problem: "not a valid key file" };
  }
}
