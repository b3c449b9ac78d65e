// A scratch root for `rpm --root`: an empty directory tree with just what the package's
// scriptlets need when rpm runs them chrooted (/bin/sh and the few tools they call, with their
// shared libraries), a passwd/group for programs that look up the user, and the rpm database
// in /var/lib/rpm as on RHEL (Debian's rpm defaults to ~/.rpmdb). Programs from the installed
// package run inside it with chroot(8), so they can only use what the package brought.
import { spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { connect } from "node:net";
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

export interface RunningInRoot {
  pid: number;
  /** The line that said it was ready. */
  ready: string;
  output(): string;
  /** SIGTERM, then SIGKILL after 10 s; resolves with the exit status (null when killed). */
  stop(): Promise<number | null>;
}

/** Starts argv chrooted into the root and resolves once it prints `haconnd ready`. */
export function runUntilReady(
  root: ScratchRoot,
  argv: readonly string[],
  timeoutMs = 30_000,
): Promise<RunningInRoot> {
  const chrootBin = which("chroot");
  if (!chrootBin) throw new Error("chroot not found on this machine");
  const child = spawn(chrootBin, [root.dir, ...argv], {
    env: { PATH: "/usr/bin:/bin", HOME: "/root", LANG: "C" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    const code = await exited;
    clearTimeout(killer);
    return code;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`not ready within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n").find((l) => l.includes("haconnd ready"));
      if (line) {
        clearTimeout(timer);
        resolve({ pid: child.pid!, ready: line, output: () => out, stop });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before it was ready:\n${out}`));
    });
  });
}

/** A free UDP port on 127.0.0.1 (bind port 0, read it, close). */
export async function freeUdpPort(): Promise<number> {
  const s = createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** One request on haconnd's control socket (one JSON line each way); resolves with its result. */
export function controlRequest(socketPath: string, op: string, timeoutMs = 10_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const s = connect(socketPath);
    let buf = "";
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`${op}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    s.setEncoding("utf8");
    s.on("connect", () => s.write(`${JSON.stringify({ v: 1, id: 1, op, args: {} })}\n`));
    s.on("data", (d: string) => {
      buf += d;
      const nl = buf.indexOf("\n");
      if (nl < 0) return;
      clearTimeout(timer);
      s.destroy();
      const r = JSON.parse(buf.slice(0, nl)) as {
        ok: boolean;
        result?: unknown;
        error?: { message: string };
      };
      if (r.ok) resolve(r.result);
      else reject(new Error(`${op}: ${r.error?.message}`));
    });
    s.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}
