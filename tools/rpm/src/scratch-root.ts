// A scratch root for `rpm --root`: an empty directory tree with just what the package's
// scriptlets need when rpm runs them chrooted (/bin/sh and the few tools they call, with their
// shared libraries), a passwd/group for programs that look up the user, and the rpm database
// in /var/lib/rpm as on RHEL (Debian's rpm defaults to ~/.rpmdb). Programs from the installed
// package run inside it with chroot(8), so they can only use what the package brought.
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type RunResult, run, runOk, which } from "./exec.js";

/** What the scriptlets (and the command launchers) call besides shell built-ins. */
const TOOLS = ["sh", "ln", "rm", "mkdir", "readlink", "dirname"];

export interface ScratchRoot {
  dir: string;
  /** rpm against this root: --root, --dbpath /var/lib/rpm, no plugins. */
  rpm(args: readonly string[]): RunResult;
  /** Runs argv chrooted into the root with a clean environment. */
  chroot(argv: readonly string[]): RunResult;
  /** Copies a host binary (resolved on PATH or absolute) and its libraries into the root. */
  addBinary(path: string, as?: string): void;
  /** Copies only the shared libraries a binary needs (e.g. the installed Node's) into the root. */
  addLibrariesOf(binary: string): void;
  /** Path of a file inside the root. */
  path(inside: string): string;
}

function sharedLibraries(binary: string): string[] {
  const { stdout } = runOk("ldd", [binary]);
  return [...stdout.matchAll(/(\/\S+)\s+\(0x/g)].map((m) => m[1]!);
}

export function createScratchRoot(parent = tmpdir(), osRelease?: string): ScratchRoot {
  const dir = mkdtempSync(join(parent, "haconn-rpm-root-"));
  const path = (inside: string) => join(dir, inside);
  const copy = (from: string, to: string) => {
    mkdirSync(dirname(path(to)), { recursive: true });
    copyFileSync(from, path(to));
  };
  const addLibrariesOf = (binary: string) => {
    for (const lib of sharedLibraries(binary)) copy(lib, lib);
  };
  const addBinary = (binary: string, as?: string) => {
    const resolved = binary.startsWith("/") ? binary : which(binary);
    if (!resolved) throw new Error(`${binary} not found on this machine`);
    copy(resolved, as ?? resolved);
    addLibrariesOf(resolved);
  };
  for (const d of ["var/tmp", "var/lib/rpm", "tmp", "root", "etc"]) mkdirSync(path(d), { recursive: true });
  writeFileSync(path("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
  writeFileSync(path("etc/group"), "root:x:0:\n");
  if (osRelease !== undefined) writeFileSync(path("etc/os-release"), osRelease);
  for (const tool of TOOLS) {
    const host = which(tool);
    if (!host) throw new Error(`${tool} not found on this machine`);
    addBinary(host, tool === "sh" ? "/bin/sh" : host);
  }
  const chrootBin = which("chroot");
  return {
    dir,
    path,
    addBinary,
    addLibrariesOf,
    rpm: (args) =>
      run("rpm", ["--root", dir, "--dbpath", "/var/lib/rpm", "--noplugins", ...args], { timeoutMs: 120_000 }),
    chroot: (argv) => {
      if (!chrootBin) throw new Error("chroot not found on this machine");
      return run(chrootBin, [dir, ...argv], { env: { PATH: "/usr/bin:/bin", HOME: "/root", LANG: "C" } });
    },
  };
}
