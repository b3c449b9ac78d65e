// One lab "host": a long-lived holder process that owns a mount, UTS and PID namespace inside a
// network namespace the lab created (`ip netns exec` alone makes a new mount namespace each
// call, so every command enters the holder's namespaces with nsenter instead). The holder is the
// PID namespace's init: killing it ends every process of the host at once, which is what the
// host's BMC does on a hardware reset or power off.

import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export interface HolderMount {
  /** Directory (or file) of the lab that replaces `target` inside the host. */
  source: string;
  target: string;
}

export interface HolderOptions {
  /** Network namespace (created by the caller). */
  netns: string;
  /** The host's lab directory: holds holder.sh, holder.pid, holder.ready. */
  dir: string;
  hostname: string;
  /** Bind mounts made inside the host's mount namespace. */
  binds: HolderMount[];
  /** Read-only overlays: `extra` directories laid over `target` (e.g. /usr/sbin + lab launchers). */
  overlays: HolderMount[];
  /** Bound on the bring-up. Default 10 s. */
  timeoutMs?: number;
}

export interface ExecResult {
  code: number;
  out: string;
  err: string;
}

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

function initScript(o: HolderOptions): string {
  const lines = [
    "#!/bin/sh",
    "# PID 1 of one lab Pacemaker host (tools/lab/src/pacemaker/holder.ts).",
    "set -e",
    // libqb names its shared-memory files and pacemaker its sockets the same way on every host.
    "mount -t tmpfs -o mode=0755 tmpfs /run",
    "mkdir -p /run/lock /run/crm",
    "mount -t tmpfs -o mode=1777 tmpfs /dev/shm",
    ...o.binds.map((b) => `mount --bind ${q(b.source)} ${q(b.target)}`),
    ...o.overlays.map(
      (b) => `mount -t overlay overlay -o ro,lowerdir=${q(b.source)}:${q(b.target)} ${q(b.target)}`,
    ),
    `hostname ${q(o.hostname)}`,
    `touch ${q(join(o.dir, "holder.ready"))}`,
    // Reap what gets orphaned here; exit never (SIGKILL from outside ends the host).
    "trap '' TERM INT HUP",
    "while :; do sleep 3600 & wait $! || true; done",
  ];
  return `${lines.join("\n")}\n`;
}

export class NodeHolder {
  private constructor(
    readonly o: HolderOptions,
    private readonly child: ChildProcess,
    /** Host PID of the holder (init of the host's PID namespace). */
    readonly pid: number,
  ) {}

  static async start(o: HolderOptions): Promise<NodeHolder> {
    const script = join(o.dir, "holder.sh");
    const ready = join(o.dir, "holder.ready");
    writeFileSync(script, initScript(o), { mode: 0o755 });
    rmSync(ready, { force: true });
    let err = "";
    const child = spawn(
      "ip",
      [
        "netns",
        "exec",
        o.netns,
        "unshare",
        "--mount",
        "--uts",
        "--pid",
        "--fork",
        "--mount-proc",
        "--propagation",
        "private",
        "/bin/sh",
        script,
      ],
      { stdio: ["ignore", "ignore", "pipe"], detached: true },
    );
    child.stderr!.on("data", (d: Buffer) => {
      err = (err + d.toString()).slice(-4000);
    });
    const until = Date.now() + (o.timeoutMs ?? 10_000);
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`host ${o.hostname} did not start: ${err.trim()}`);
      if (existsSync(ready)) {
        const pid = initPid(child.pid!);
        if (pid) {
          writeFileSync(join(o.dir, "holder.pid"), `${pid}\n`);
          return new NodeHolder(o, child, pid);
        }
      }
      if (Date.now() > until) {
        killGroup(child);
        throw new Error(`host ${o.hostname} not ready within ${o.timeoutMs ?? 10_000} ms: ${err.trim()}`);
      }
      await sleep(20);
    }
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** argv that runs a command inside this host. */
  argv(command: string[]): string[] {
    return ["nsenter", "-t", String(this.pid), "-m", "-u", "-p", "-n", "--", ...command];
  }

  /** Runs a command inside the host; never throws (code -1 when it could not run or timed out). */
  exec(command: string[], opts: { timeoutMs?: number; input?: string; env?: NodeJS.ProcessEnv } = {}) {
    const [file, ...args] = this.argv(command);
    return new Promise<ExecResult>((resolve) => {
      const c = execFile(
        file!,
        args,
        { timeout: opts.timeoutMs ?? 30_000, env: opts.env ?? process.env, maxBuffer: 8 << 20 },
        (e, out, err) => {
          const code = e ? (typeof e.code === "number" ? e.code : -1) : 0;
          resolve({ code, out: String(out), err: String(err) });
        },
      );
      c.stdin?.on("error", () => undefined);
      c.stdin?.end(opts.input ?? "");
    });
  }

  /** Starts a long-running program inside the host, output appended to `log`. */
  spawn(command: string[], log: string, env: NodeJS.ProcessEnv = process.env): ChildProcess {
    const [file, ...args] = this.argv(command);
    const child = spawn(file!, args, { stdio: ["ignore", "pipe", "pipe"], env });
    const append = (d: Buffer) => {
      try {
        writeFileSync(log, d, { flag: "a" });
      } catch {
        // lab directory already removed
      }
    };
    child.stdout!.on("data", append);
    child.stderr!.on("data", append);
    child.once("error", () => undefined);
    return child;
  }

  /** The host loses power: SIGKILL to its init ends every process in it. Resolves when gone. */
  async kill(): Promise<void> {
    // Only while unshare still waits for it: a dead holder's PID may belong to another process now.
    if (this.alive) {
      try {
        process.kill(this.pid, "SIGKILL");
      } catch {
        // already gone
      }
      // unshare reaps its init and exits; killing both at once would leave the init a zombie.
      const until = Date.now() + 5000;
      while (this.alive && Date.now() < until) await sleep(20);
      if (this.alive) killGroup(this.child);
    }
    rmSync(join(this.o.dir, "holder.pid"), { force: true });
  }
}

/** Host PID of the child unshare forked (the new PID namespace's init). */
function initPid(unsharePid: number): number | undefined {
  try {
    const children = readFileSync(`/proc/${unsharePid}/task/${unsharePid}/children`, "utf8").trim();
    const first = Number(children.split(/\s+/)[0]);
    return first > 0 ? first : undefined;
  } catch {
    return undefined;
  }
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // gone
  }
}
