// Private test networks: network namespaces joined by veth pairs and bridges, created by the
// test or the lab itself and removed afterwards. Every address used inside them is private to
// them; nothing here ever sends outside the namespaces it made.

import { execFileSync } from "node:child_process";

export interface NetnsLink {
  /** Namespace at each end. */
  a: string;
  b: string;
  /** Interface names inside each namespace. */
  ifA: string;
  ifB: string;
  /** CIDR addresses, e.g. "10.77.0.1/24". */
  addrA?: string;
  addrB?: string;
}

function ip(args: string[]): string {
  return execFileSync("ip", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 10_000 });
}

/** True when this process may create network namespaces (root with the ip tool). */
export function netnsAvailable(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = `haconn-probe-${process.pid}`;
  try {
    ip(["netns", "add", probe]);
    ip(["netns", "del", probe]);
    return true;
  } catch {
    return false;
  }
}

/** A set of namespaces with a common prefix; `destroy()` removes all of them (and leftovers). */
export class NetnsLab {
  readonly namespaces: string[] = [];

  constructor(readonly prefix: string) {
    if (!/^[a-z][a-z0-9-]{0,20}$/.test(prefix)) throw new Error(`bad namespace prefix ${prefix}`);
  }

  /** Removes namespaces left behind by an earlier crashed run with the same prefix. */
  static cleanupLeftovers(prefix: string): void {
    for (const line of ip(["netns", "list"]).split("\n")) {
      const name = line.split(" ")[0];
      if (name?.startsWith(`${prefix}-`)) {
        try {
          ip(["netns", "del", name]);
        } catch {
          // already gone
        }
      }
    }
  }

  name(short: string): string {
    return `${this.prefix}-${short}`;
  }

  add(short: string): string {
    const ns = this.name(short);
    ip(["netns", "add", ns]);
    this.namespaces.push(ns);
    this.exec(ns, ["ip", "link", "set", "lo", "up"]);
    return ns;
  }

  /** Runs a command inside a namespace and returns its standard output. */
  exec(ns: string, argv: string[]): string {
    return ip(["netns", "exec", ns, ...argv]);
  }

  /** Joins two namespaces with a veth pair and brings both ends up. */
  link(l: NetnsLink): void {
    const tmpA = `h${process.pid % 100000}a${this.namespaces.length}`;
    const tmpB = `h${process.pid % 100000}b${this.namespaces.length}`;
    ip(["link", "add", tmpA, "type", "veth", "peer", "name", tmpB]);
    ip(["link", "set", tmpA, "netns", l.a]);
    ip(["link", "set", tmpB, "netns", l.b]);
    this.exec(l.a, ["ip", "link", "set", tmpA, "name", l.ifA]);
    this.exec(l.b, ["ip", "link", "set", tmpB, "name", l.ifB]);
    if (l.addrA) this.exec(l.a, ["ip", "addr", "add", l.addrA, "dev", l.ifA]);
    if (l.addrB) this.exec(l.b, ["ip", "addr", "add", l.addrB, "dev", l.ifB]);
    this.exec(l.a, ["ip", "link", "set", l.ifA, "up"]);
    this.exec(l.b, ["ip", "link", "set", l.ifB, "up"]);
  }

  /** A bridge inside `ns` (a "switch" host) that other namespaces attach to with veths. */
  bridge(ns: string, name: string): void {
    this.exec(ns, ["ip", "link", "add", name, "type", "bridge"]);
    this.exec(ns, ["ip", "link", "set", name, "up"]);
  }

  /** Attaches `ns` to a bridge living in `switchNs`, with address `addr` on `ifName`. */
  attach(switchNs: string, bridgeName: string, ns: string, ifName: string, addr?: string): void {
    const port = `${ifName}-${ns.slice(-4)}`.slice(0, 15);
    this.link({ a: switchNs, b: ns, ifA: port, ifB: ifName, ...(addr ? { addrB: addr } : {}) });
    this.exec(switchNs, ["ip", "link", "set", port, "master", bridgeName]);
  }

  setLink(ns: string, ifName: string, up: boolean): void {
    this.exec(ns, ["ip", "link", "set", ifName, up ? "up" : "down"]);
  }

  destroy(): void {
    for (const ns of this.namespaces.splice(0).reverse()) {
      try {
        ip(["netns", "del", ns]);
      } catch {
        // already gone
      }
    }
  }
}
