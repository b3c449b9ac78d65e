// The real process behind CliIo (the entry points' composition root).
import { readFile } from "node:fs/promises";
import type { CliIo } from "./io.js";

export function nodeIo(): CliIo {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    readOsRelease: () => readFile("/etc/os-release", "utf8").catch(() => undefined),
  };
}
