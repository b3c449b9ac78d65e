// What the whole-daemon bench reads about the service from the kernel: CPU of the service
// (daemon + every child, including children that already exited) from a cgroup v2 created for
// the run, or, where none can be created, from /proc (the daemon's own and reaped children's
// time plus its live descendants'); VmRSS / VmHWM of the daemon; PSS of the daemon and each
// helper process (smaps_rollup). Linux only; every reader tolerates a process that just exited.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const TICK_USEC = 1_000_000 / 100; // USER_HZ is 100 on Linux

function read(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Where cgroup v2 is mounted (the unified hierarchy), if it is. */
function cgroup2Root(): string | undefined {
  for (const line of (read("/proc/mounts") ?? "").split("\n")) {
    const f = line.split(" ");
    if (f[2] === "cgroup2" && f[1]) return f[1];
  }
  return undefined;
}

/** utime+stime (and with `children`, cutime+cstime) of one process, in µs. */
function procCpuUsec(pid: number, children: boolean): number {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return 0;
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(f[11]) + Number(f[12]) + (children ? Number(f[13]) + Number(f[14]) : 0);
  return ticks * TICK_USEC;
}

function parentOf(pid: number): number | undefined {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
}

/** The process and its live descendants. */
export function processTree(root: number): number[] {
  const kids = new Map<number, number[]>();
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    const ppid = parentOf(Number(e));
    if (ppid === undefined) continue;
    kids.set(ppid, [...(kids.get(ppid) ?? []), Number(e)]);
  }
  const out: number[] = [];
  const walk = (p: number) => {
    out.push(p);
    for (const c of kids.get(p) ?? []) walk(c);
  };
  walk(root);
  return out;
}

/** The service's CPU account: a cgroup of its own, or /proc sums. */
export class ServiceCpu {
  private constructor(
    readonly method: string,
    private readonly dir: string | undefined,
    private root = 0,
  ) {}

  /** A new cgroup v2 for the run when the hierarchy is writable here, else the /proc method. */
  static create(name: string): ServiceCpu {
    const base = cgroup2Root();
    if (base) {
      const dir = join(base, name);
      try {
        mkdirSync(dir);
        if (existsSync(join(dir, "cpu.stat"))) return new ServiceCpu(`cgroup v2 ${dir}`, dir);
        rmdirSync(dir);
      } catch {
        // not writable here: fall back
      }
    }
    return new ServiceCpu("/proc (daemon + reaped children + live descendants)", undefined);
  }

  /** argv prefix that starts a program inside the cgroup (the shell execs it: same pid). */
  wrap(file: string, args: readonly string[]): [string, string[]] {
    if (!this.dir) return [file, [...args]];
    return ["/bin/sh", ["-c", `echo $$ > ${this.dir}/cgroup.procs && exec "$0" "$@"`, file, ...args]];
  }

  setRoot(pid: number): void {
    this.root = pid;
  }

  /** CPU time of the whole service so far, µs. */
  usageUsec(): number {
    if (this.dir) {
      const m = /usage_usec (\d+)/.exec(read(join(this.dir, "cpu.stat")) ?? "");
      return m ? Number(m[1]) : Number.NaN;
    }
    const [daemon, ...rest] = processTree(this.root);
    if (daemon === undefined) return Number.NaN;
    return procCpuUsec(daemon, true) + rest.reduce((s, p) => s + procCpuUsec(p, false), 0);
  }

  /** The service's live processes. */
  pids(): number[] {
    if (this.dir)
      return (read(join(this.dir, "cgroup.procs")) ?? "")
        .split("\n")
        .filter((l) => l !== "")
        .map(Number);
    return processTree(this.root);
  }

  /** Kills whatever is left in the cgroup and removes it. */
  remove(): void {
    if (!this.dir) return;
    try {
      writeFileSync(join(this.dir, "cgroup.kill"), "1");
    } catch {
      for (const p of this.pids()) {
        try {
          process.kill(p, "SIGKILL");
        } catch {
          // gone
        }
      }
    }
    for (let i = 0; i < 50; i++) {
      try {
        rmdirSync(this.dir);
        return;
      } catch {
        execFileSync("sleep", ["0.1"]);
      }
    }
  }
}

/** VmRSS and VmHWM of a process, MiB. */
export function memoryMiB(pid: number): { rss: number; hwm: number } {
  const status = read(`/proc/${pid}/status`) ?? "";
  const kib = (key: string) =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
  return { rss: kib("VmRSS") / 1024, hwm: kib("VmHWM") / 1024 };
}

/** PSS of one process, MiB (smaps_rollup). */
export function pssMiB(pid: number): number {
  const m = /^Pss:\s+(\d+) kB/m.exec(read(`/proc/${pid}/smaps_rollup`) ?? "");
  return m ? Number(m[1]) / 1024 : 0;
}

/** The command name of a process (`comm`). */
export function commOf(pid: number): string {
  return (read(`/proc/${pid}/comm`) ?? "?").trim();
}
