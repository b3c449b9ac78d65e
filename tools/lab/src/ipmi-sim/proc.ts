// /proc helpers for tests and benchmarks: find ipmitool processes aimed at one port, read
// their argv and environment, and their CPU time.
import { readdir, readFile } from "node:fs/promises";

export interface IpmiSimProcessInfo {
  pid: number;
  argv: string[];
  environ: string[];
}

/** Running ipmitool processes whose argv names `-p <port>`. */
export async function findIpmitoolProcesses(port: number): Promise<IpmiSimProcessInfo[]> {
  const found: IpmiSimProcessInfo[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = (await readFile(`/proc/${entry}/cmdline`, "utf8")).split("\0").filter((a) => a !== "");
      if (!argv[0]?.endsWith("ipmitool")) continue;
      const p = argv.indexOf("-p");
      if (p < 0 || argv[p + 1] !== String(port)) continue;
      const environ = (await readFile(`/proc/${entry}/environ`, "utf8")).split("\0").filter((a) => a !== "");
      found.push({ pid: Number(entry), argv, environ });
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

/** utime+stime of a live process, in clock ticks (USER_HZ, 100 on Linux). */
export async function processCpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}
