// The reset-path virtual IP: added by the active to the interface that carries its physical
// reset-path address, announced with gratuitous ARP, removed on hand-over and shutdown. A
// duplicate-address probe tells a starting node whether somebody else holds it. Commands run
// with argv arrays and deadlines; a `prefix` (e.g. ["ip","netns","exec","ns1"]) runs them
// inside a namespace for the lab and the tests.
//
// Takeover without a process start (issue 19): a standby's prepare() finds the interface and
// arms both takeover commands (armed-command.ts); acquire() then only says "go" to the armed
// `ip addr add` and, once the address is there, to the armed `arping -U`. When a helper is not
// armed or did not succeed, the command runs the plain way, as before, and is counted in `stats`.

import { spawn as nodeSpawn } from "node:child_process";
import { HaconnError } from "@haconn/config";
import { ArmedCommand, type RunResult, runProcess, type SpawnFn } from "./armed-command.js";
import { sameSubnet } from "./ipv4.js";

export interface VipOptions {
  addr: string;
  prefixLength: number;
  /** Command prefix, e.g. for a network namespace. */
  prefix?: string[];
  /** Deadline per command. */
  timeoutMs?: number;
  /** child_process.spawn, or a wrapper (tests count the processes started). */
  spawn?: SpawnFn;
}

/** How the takeover's commands ran: through armed helpers, or by starting a process then. */
export interface VipTakeoverStats {
  /** Takeover commands carried by an armed helper (no process start). */
  armedRuns: number;
  /** Takeover commands that started a process on the takeover path (no helper armed, or it failed). */
  processStarts: number;
}

interface IpAddrInfo {
  ifname: string;
  addr_info?: { family: string; local: string; prefixlen: number }[];
}

export class VipManager {
  private iface: string | undefined;
  private readonly timeoutMs: number;
  private readonly spawn: SpawnFn;
  /** The armed takeover commands (prepare() makes them once the interface is known). */
  private armedAdd: ArmedCommand | undefined;
  private armedAnnounce: ArmedCommand | undefined;
  readonly stats: VipTakeoverStats = { armedRuns: 0, processStarts: 0 };

  constructor(private readonly options: VipOptions) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.spawn = options.spawn ?? nodeSpawn;
  }

  private run(argv: string[]): Promise<RunResult> {
    return runProcess(this.spawn, [...(this.options.prefix ?? []), ...argv], this.timeoutMs);
  }

  private addArgv(dev: string): string[] {
    return ["ip", "addr", "add", `${this.options.addr}/${this.options.prefixLength}`, "dev", dev];
  }

  private announceArgv(dev: string): string[] {
    return ["arping", "-q", "-U", "-c", "1", "-I", dev, this.options.addr];
  }

  /**
   * Runs a takeover command: through its armed helper when one waits and the command succeeds
   * there, else (no helper, helper dead, command failed in it) the plain way, counted.
   */
  private async takeoverRun(
    armed: ArmedCommand | undefined,
    argv: string[],
    ok: (r: RunResult) => boolean,
  ): Promise<RunResult> {
    const fired = armed?.fire();
    if (fired) {
      const r = await fired;
      if (ok(r)) {
        this.stats.armedRuns++;
        return r;
      }
    }
    this.stats.processStarts++;
    return this.run(argv);
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
    // With helpers armed by prepare(), nothing here starts a process (a count test guards it).
    const dev = await this.interface();
    const added = (r: RunResult) => r.code === 0 || /exists|already assigned/i.test(r.stderr);
    const r = await this.takeoverRun(this.armedAdd, this.addArgv(dev), added);
    if (!added(r)) {
      throw new HaconnError("VIP_ADD_FAILED", `ip addr add ${this.options.addr} failed: ${r.stderr.trim()}`);
    }
    this.announced = this.announce().catch((error) => onAnnounceError?.(error));
  }

  /**
   * Gets a takeover ready (a standby calls it): finds the interface and arms the VIP add and the
   * gratuitous ARP, so acquire() starts no process. Never throws (acquire() then reports).
   */
  async prepare(): Promise<void> {
    const dev = await this.interface().catch(() => undefined);
    if (dev === undefined) return;
    const armed = { spawn: this.spawn, prefix: this.options.prefix ?? [], timeoutMs: this.timeoutMs };
    this.armedAdd ??= new ArmedCommand(this.addArgv(dev), armed);
    this.armedAnnounce ??= new ArmedCommand(this.announceArgv(dev), armed);
    this.armedAdd.arm();
    this.armedAnnounce.arm();
  }

  /** Stops the armed helpers (shutdown). */
  disarm(): void {
    this.armedAdd?.disarm();
    this.armedAnnounce?.disarm();
  }

  /** Whether both takeover commands are armed. */
  get armed(): boolean {
    return (this.armedAdd?.armed ?? false) && (this.armedAnnounce?.armed ?? false);
  }

  /** Gratuitous ARP so neighbours update their caches at once (armed helper when there is one). */
  async announce(): Promise<void> {
    const dev = await this.interface();
    await this.takeoverRun(this.armedAnnounce, this.announceArgv(dev), (r) => r.code === 0);
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
