// The lab's network namespaces: built from the plan of pair-topology.ts with NetnsLab, removed
// by prefix. A registry file per lab id (/run/haconn-lab/<id>, holding the lab directory) lets
// `lab up` tell the leftovers of a crashed lab (its directory gone) from a lab still running.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { NetnsLab, netnsAvailable } from "../netns/index.js";
import { labPaths } from "./paths.js";
import { labIdOfNamespace, NS_PREFIX, type NetnsNames, type NetnsStep } from "./pair-topology.js";

const REGISTRY = "/run/haconn-lab";

function ipOut(args: string[]): string {
  return execFileSync("ip", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 10_000 });
}

export { netnsAvailable };

/** Namespaces (any lab's) whose names carry our prefix. */
export function labNamespaces(): string[] {
  try {
    return ipOut(["netns", "list"])
      .split("\n")
      .map((l) => l.split(" ")[0] ?? "")
      .filter((n) => n.startsWith(`${NS_PREFIX}-`));
  } catch {
    return [];
  }
}

export function registerNetns(names: NetnsNames, dir: string): void {
  mkdirSync(REGISTRY, { recursive: true, mode: 0o700 });
  writeFileSync(join(REGISTRY, names.prefix), `${dir}\n`);
}

/** Deletes every namespace of `prefix` (processes inside must be stopped first); returns how many. */
export function removeNetns(prefix: string): number {
  const mine = labNamespaces().filter((n) => n.startsWith(`${prefix}-`));
  if (mine.length > 0) NetnsLab.cleanupLeftovers(prefix);
  rmSync(join(REGISTRY, prefix), { force: true });
  return mine.length;
}

/**
 * Namespaces of labs that are gone: no registry entry, or an entry whose lab directory no longer
 * holds a lab (a crashed or deleted lab). A namespace with a process inside is never touched.
 */
export function staleNetnsPrefixes(): string[] {
  const prefixes = new Set<string>();
  for (const ns of labNamespaces()) {
    const id = labIdOfNamespace(ns);
    if (!id) continue;
    const prefix = `${NS_PREFIX}-${id}`;
    const entry = join(REGISTRY, prefix);
    const dir = existsSync(entry) ? readFileSync(entry, "utf8").trim() : "";
    if (dir && existsSync(labPaths(dir).marker)) continue;
    let busy = false;
    try {
      busy = ipOut(["netns", "pids", ns]).trim() !== "";
    } catch {
      busy = false;
    }
    if (!busy) prefixes.add(prefix);
  }
  return [...prefixes];
}

/** Registry entries whose namespaces are gone. */
export function pruneRegistry(): void {
  if (!existsSync(REGISTRY)) return;
  const live = new Set(labNamespaces().map((n) => n.split("-").slice(0, 2).join("-")));
  for (const f of readdirSync(REGISTRY)) if (!live.has(f)) rmSync(join(REGISTRY, f), { force: true });
}

/** Carries out the plan; on failure removes what it made and rethrows. */
export function buildNetns(names: NetnsNames, steps: readonly NetnsStep[]): void {
  const lab = new NetnsLab(names.prefix);
  const short = (ns: string) => ns.slice(names.prefix.length + 1);
  try {
    for (const s of steps) {
      switch (s.op) {
        case "namespace":
          lab.add(short(s.ns));
          break;
        case "bridge":
          lab.bridge(s.ns, s.bridge);
          for (const a of s.addrs) lab.exec(s.ns, ["ip", "addr", "add", a, "dev", s.bridge]);
          break;
        case "attach":
          lab.attach(s.switchNs, s.bridge, s.ns, s.ifName, s.addr);
          break;
        case "link":
          lab.link({ a: s.a, b: s.b, ifA: s.ifA, ifB: s.ifB, addrA: s.addrA, addrB: s.addrB });
          break;
      }
    }
  } catch (error) {
    lab.destroy();
    throw error;
  }
}

/** ip link set <dev> up|down inside a namespace. */
export function setLink(ns: string, dev: string, up: boolean): void {
  ipOut(["-n", ns, "link", "set", dev, up ? "up" : "down"]);
}

export function linkIsUp(ns: string, dev: string): boolean {
  try {
    return /\bstate UP\b|<[^>]*\bUP\b/.test(ipOut(["-n", ns, "-o", "link", "show", dev]));
  } catch {
    return false;
  }
}
