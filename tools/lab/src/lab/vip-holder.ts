// Who holds the reset path right now, seen from outside the daemons: in netns mode, which node's
// namespace carries the VIP on its interface (ip -n <ns> addr); on loopback, whose haconnd owns
// the socket bound to the reset-path address and port (/proc/net/udp and the process's fds).
import { execFile } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { nodePid } from "./nodes.js";
import { LAB_NODES, type LabNode, type PairTopology } from "./pair-topology.js";

/** "127.0.77.1", 30000 -> "014D007F:7530" (the local_address column of /proc/net/udp). */
export function procNetAddress(addr: string, port: number): string {
  const hex = addr
    .split(".")
    .map((o) => Number(o).toString(16).padStart(2, "0").toUpperCase())
    .reverse()
    .join("");
  return `${hex}:${port.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** Socket inodes bound to addr:port in a /proc/net/udp text. */
export function udpInodes(procNetUdp: string, addr: string, port: number): string[] {
  const want = procNetAddress(addr, port);
  const inodes: string[] = [];
  for (const line of procNetUdp.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[1] === want && f[9]) inodes.push(f[9]);
  }
  return inodes;
}

function ownsSocket(pid: number, inodes: readonly string[]): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
        return inodes.some((i) => link === `socket:[${i}]`);
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

function hasAddress(ns: string, dev: string, addr: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile("ip", ["-n", ns, "-4", "-o", "addr", "show", "dev", dev], { timeout: 2000 }, (error, stdout) =>
      resolve(!error && String(stdout).includes(` ${addr}/`)),
    );
  });
}

/** The nodes holding the reset path now (normally one; none during a takeover). */
export async function vipHolders(dir: string, topology: PairTopology): Promise<LabNode[]> {
  const { addr, port } = topology.resetPath;
  if (topology.netns) {
    const names = topology.netns;
    const held = await Promise.all(
      LAB_NODES.map((n) => hasAddress(names.nodes[n], topology.resetPathDev, addr)),
    );
    return LAB_NODES.filter((_, i) => held[i]);
  }
  let inodes: string[] = [];
  try {
    inodes = udpInodes(readFileSync("/proc/net/udp", "utf8"), addr, port);
  } catch {
    return [];
  }
  if (inodes.length === 0) return [];
  return LAB_NODES.filter((n) => {
    const pid = nodePid(dir, n);
    return pid !== undefined && ownsSocket(pid, inodes);
  });
}
