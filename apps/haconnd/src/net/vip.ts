// The reset-path virtual IP: added by the active to the interface that carries its physical
// reset-path address, announced with gratuitous ARP, removed on hand-over and shutdown. A
// duplicate-address probe tells a starting node whether somebody else holds it. Commands run
// with argv arrays and deadlines; a `prefix` (e.g. ["ip","netns","exec","ns1"]) runs them
// inside a namespace for the lab and the tests.

import { execFile } from "node:child_process";
import { HaconnError } from "@haconn/config";
import { sameSubnet } from "./ipv4.js";

export interface VipOptions {
  addr: string;
  prefixLength: number;
  /** Command prefix, e.g. for a network namespace. */
  prefix?: string[];
  /** Deadline per command. */
  timeoutMs?: number;
}

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

interface IpAddrInfo {
  ifname: string;
  addr_info?: { family: string; local: string; prefixlen: number }[];
}

export class VipManager {
  private iface: string | undefined;
  private readonly timeoutMs: number;

  constructor(private readonly options: VipOptions) {
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  private run(argv: string[]): Promise<RunResult> {
    const full = [...(this.options.prefix ?? []), ...argv];
    return new Promise((resolve) => {
      execFile(
        full[0]!,
        full.slice(1),
        { timeout: this.timeoutMs, encoding: "utf8" },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }

  private async addresses(): Promise<IpAddrInfo[]> {
    const r = await this.run(["ip", "-j", "-4", "addr", "show"]);
    if (r.code !== 0) throw new HaconnError("VIP_IP_FAILED", `ip addr show failed: ${r.stderr.trim()}`);
    return JSON.parse(r.stdout) as IpAddrInfo[];
  }

  /** The interface carrying a physical address in the VIP's subnet (not the VIP itself). */
  async interface(): Promise<string> {
    if (this.iface) return this.iface;
    const { addr, prefixLength } = this.options;
    for (const link of await this.addresses()) {
      for (const a of link.addr_info ?? []) {
        if (a.family === "inet" && a.local !== addr && sameSubnet(a.local, addr, prefixLength)) {
          this.iface = link.ifname;
          return link.ifname;
        }
      }
    }
    throw new HaconnError(
      "VIP_NO_INTERFACE",
      `no interface has an address in ${addr}/${prefixLength}: configure the physical reset-path address first`,
    );
  }

  /** Whether this host has the VIP on any interface. */
  async held(): Promise<boolean> {
    for (const link of await this.addresses()) {
      if ((link.addr_info ?? []).some((a) => a.local === this.options.addr)) return true;
    }
    return false;
  }

  /**
   * Adds the VIP (idempotent) and starts announcing it with gratuitous ARP. The announcement
   * runs in the background (`announced` settles when it is done): arping lingers about a second
   * after its packet, and the new active must serve the reset path meanwhile.
   */
  announced: Promise<void> = Promise.resolve();

  async acquire(onAnnounceError?: (error: unknown) => void): Promise<void> {
    // One command on the takeover path (issue 19): the interface is known from prepare() on a
    // standby, and `ip addr add` of an address the interface already has fails ("File exists"
    // from older iproute2, "Address already assigned" from newer), which is success here (no
    // `held()` look-up first).
    const dev = await this.interface();
    const r = await this.run([
      "ip",
      "addr",
      "add",
      `${this.options.addr}/${this.options.prefixLength}`,
      "dev",
      dev,
    ]);
    if (r.code !== 0 && !/exists|already assigned/i.test(r.stderr)) {
      throw new HaconnError("VIP_ADD_FAILED", `ip addr add ${this.options.addr} failed: ${r.stderr.trim()}`);
    }
    this.announced = this.announce().catch((error) => onAnnounceError?.(error));
  }

  /** Finds the interface ahead of a takeover (a standby calls it), so acquire() runs one command. */
  async prepare(): Promise<void> {
    await this.interface().catch(() => undefined);
  }

  /** Gratuitous ARP so neighbours update their caches at once. */
  async announce(): Promise<void> {
    const dev = await this.interface();
    await this.run(["arping", "-q", "-U", "-c", "1", "-I", dev, this.options.addr]);
  }

  /** Removes the VIP wherever it is on this host (idempotent). */
  async release(): Promise<void> {
    for (const link of await this.addresses()) {
      for (const a of link.addr_info ?? []) {
        if (a.local !== this.options.addr) continue;
        const r = await this.run(["ip", "addr", "del", `${a.local}/${a.prefixlen}`, "dev", link.ifname]);
        if (r.code !== 0 && !/cannot assign/i.test(r.stderr)) {
          throw new HaconnError("VIP_DEL_FAILED", `ip addr del ${a.local} failed: ${r.stderr.trim()}`);
        }
      }
    }
  }

  /** Duplicate-address probe: true when another host answers ARP for the VIP. */
  async inUseElsewhere(): Promise<boolean> {
    const dev = await this.interface();
    const r = await this.run(["arping", "-q", "-D", "-c", "2", "-w", "1", "-I", dev, this.options.addr]);
    // arping -D exits 0 when no reply came (the address is free), 1 when somebody answered.
    if (r.code === 0) return false;
    if (r.code === 1) return true;
    throw new HaconnError("VIP_PROBE_FAILED", `arping -D failed (${r.code}): ${r.stderr.trim()}`);
  }
}
