// The real process behind CliIo (the entry points' composition root): the only place that
// reads the process environment, the user and the clock; everything below gets them from CliIo.
import { readFile } from "node:fs/promises";
import { userInfo } from "node:os";
import type { CliIo } from "./io.js";

function currentUser(): { uid: number; name: string } {
  try {
    const info = userInfo();
    return { uid: info.uid, name: info.username };
  } catch {
    return { uid: process.getuid?.() ?? -1, name: "?" };
  }
}

export function nodeIo(): CliIo {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    readOsRelease: () => readFile("/etc/os-release", "utf8").catch(() => undefined),
    user: currentUser,
    now: () => new Date(),
  };
}
