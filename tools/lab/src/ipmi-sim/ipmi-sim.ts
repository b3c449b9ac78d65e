// Launcher for OpenIPMI's ipmi_sim as a simulated BMC on 127.0.0.1: writes its files into a
// temp dir, starts it on a free UDP port, waits until real ipmitool gets an answer, and offers
// the injections the driver tests need (slow answers, a frozen BMC, power state).
// ipmi_sim speaks cipher suite 3 only; settings() says so.
import { type ChildProcess, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { BmcSettings } from "@haconn/config";
import { execa } from "execa";
import { buildIpmiSimNmiModule } from "./nmi-module.js";
import { CHASSIS_SCRIPT, renderEmu, renderLanConf, SIM_FILES } from "./sim-files.js";

export interface IpmiSimOptions {
  /** Default "admin". */
  account?: string;
  /** Default "haconn-sim-pw1". */
  password?: string;
  /** Load the NMI module so `chassis power diag` succeeds (default false: stock ipmi_sim refuses it). */
  nmi?: boolean;
  /** Address to listen on (default 127.0.0.1); another one only inside `netns`. */
  address?: string;
  /** Run inside this network namespace (created by the caller). */
  netns?: string;
  /** Initial power state. Default "on". */
  power?: "on" | "off";
  /** Answer every chassis command this late (ms). Default 0. */
  delayMs?: number;
  /** Fixed UDP port; default a free one. */
  port?: number;
  /** Paths of the binaries. */
  ipmiSimPath?: string;
  ipmitoolPath?: string;
  /** How long to wait for the first answer. Default 15 s. */
  startTimeoutMs?: number;
}

export type IpmiSimActionName = "on" | "off" | "reset" | "nmi" | (string & {});

export interface IpmiSimAction {
  /** Epoch milliseconds when the simulated BMC carried it out. */
  atMs: number;
  action: IpmiSimActionName;
}

export const IPMI_SIM_CIPHER = 3;

export class IpmiSim {
  readonly addr: string;
  readonly netns: string | undefined;
  readonly dir: string;
  readonly port: number;
  readonly account: string;
  readonly password: string;
  readonly nmi: boolean;
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  #stderr = "";
  #stopped = false;

  private constructor(
    dir: string,
    port: number,
    options: Required<Pick<IpmiSimOptions, "account" | "password" | "nmi">> &
      Pick<IpmiSimOptions, "address" | "netns">,
    child: ChildProcess,
  ) {
    this.dir = dir;
    this.port = port;
    this.addr = options.address ?? "127.0.0.1";
    this.netns = options.netns;
    this.account = options.account;
    this.password = options.password;
    this.nmi = options.nmi;
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once("close", () => resolve()));
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-8192);
    });
  }

  static async start(options: IpmiSimOptions = {}): Promise<IpmiSim> {
    const account = options.account ?? "admin";
    const password = options.password ?? "haconn-sim-pw1";
    const nmi = options.nmi ?? false;
    const nmiModule = nmi ? await buildIpmiSimNmiModule() : undefined;
    let lastError: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      const dir = await mkdtemp(join(tmpdir(), "haconn-ipmi-sim-"));
      const port = options.port ?? (await freeUdpPort());
      await writeFile(
        join(dir, SIM_FILES.lanConf),
        renderLanConf({ dir, port, account, password, nmiModule, address: options.address ?? "127.0.0.1" }),
      );
      await writeFile(join(dir, SIM_FILES.emu), renderEmu());
      await writeFile(join(dir, SIM_FILES.script), CHASSIS_SCRIPT);
      await chmod(join(dir, SIM_FILES.script), 0o755);
      await writeFile(join(dir, SIM_FILES.power), options.power === "off" ? "0\n" : "1\n");
      await writeFile(join(dir, SIM_FILES.actions), "");
      await mkdir(join(dir, SIM_FILES.state));
      const prefix = options.netns ? ["ip", "netns", "exec", options.netns] : [];
      const child = spawn(
        prefix[0] ?? options.ipmiSimPath ?? "ipmi_sim",
        [
          ...(prefix.length > 0 ? [...prefix.slice(1), options.ipmiSimPath ?? "ipmi_sim"] : []),
          "-c",
          join(dir, SIM_FILES.lanConf),
          "-f",
          join(dir, SIM_FILES.emu),
          "-s",
          join(dir, SIM_FILES.state),
          "-n",
        ],
        { cwd: dir, detached: true, stdio: ["ignore", "ignore", "pipe"] },
      );
      child.once("error", () => undefined);
      const sim = new IpmiSim(
        dir,
        port,
        {
          account,
          password,
          nmi,
          ...(options.address ? { address: options.address } : {}),
          ...(options.netns ? { netns: options.netns } : {}),
        },
        child,
      );
      try {
        await sim.#waitReady(options.ipmitoolPath ?? "ipmitool", options.startTimeoutMs ?? 15_000);
        if (options.delayMs) await sim.setDelay(options.delayMs);
        return sim;
      } catch (error) {
        lastError = error;
        await sim.stop();
        if (options.port !== undefined) break;
      }
    }
    throw lastError instanceof Error ? lastError : new Error(String(lastError));
  }

  /** Driver settings for this BMC (cipher suite 3: the only one ipmi_sim implements). */
  settings(overrides: Partial<BmcSettings> = {}): BmcSettings {
    return {
      addr: this.addr,
      port: this.port,
      account: this.account,
      password: this.password,
      cipher: IPMI_SIM_CIPHER,
      ...overrides,
    };
  }

  /** ipmi_sim's process id (the leader of its process group). */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Every chassis command answers `ms` late from now on (0 = at once). */
  async setDelay(ms: number): Promise<void> {
    await writeFile(join(this.dir, SIM_FILES.delay), ms > 0 ? `${(ms / 1000).toFixed(3)}\n` : "");
  }

  /** Power actions carried out so far, oldest first. */
  async actions(): Promise<IpmiSimAction[]> {
    const text = await readFile(join(this.dir, SIM_FILES.actions), "utf8");
    return text
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((line) => {
        const [at, action = ""] = line.trim().split(/\s+/, 2);
        return { atMs: Number(at), action };
      });
  }

  async power(): Promise<"on" | "off"> {
    const text = await readFile(join(this.dir, SIM_FILES.power), "utf8");
    return text.trim() === "0" ? "off" : "on";
  }

  async setPower(state: "on" | "off"): Promise<void> {
    await writeFile(join(this.dir, SIM_FILES.power), state === "off" ? "0\n" : "1\n");
  }

  /** Stops answering at all (SIGSTOP): a hung BMC. */
  freeze(): void {
    this.#signal("SIGSTOP");
  }

  thaw(): void {
    this.#signal("SIGCONT");
  }

  /** Stops the simulator (its whole process group) and removes its directory. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#signal("SIGCONT");
    this.#signal("SIGTERM");
    const killer = setTimeout(() => this.#signal("SIGKILL"), 2000);
    await Promise.race([this.#exited, sleep(4000)]);
    clearTimeout(killer);
    this.#signal("SIGKILL"); // chassis scripts still sleeping in the group
    await rm(this.dir, { recursive: true, force: true });
  }

  #signal(signal: NodeJS.Signals): void {
    const pid = this.#child.pid;
    if (pid === undefined || this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  }

  async #waitReady(ipmitool: string, timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    let last = "";
    // Wait until the port is bound, so the first ipmitool probe is not lost to a retry.
    const local = `0100007F:${this.port.toString(16).toUpperCase().padStart(4, "0")}`;
    while (!this.netns && Date.now() < until && !(await readFile("/proc/net/udp", "utf8")).includes(local)) {
      if (this.#child.exitCode !== null || this.#child.signalCode !== null) break;
      await sleep(20);
    }
    while (Date.now() < until) {
      if (this.#child.exitCode !== null || this.#child.signalCode !== null)
        throw new Error(`ipmi_sim exited at start-up: ${this.#stderr.trim() || "(no output)"}`);
      const probe = await execa(
        this.netns ? "ip" : ipmitool,
        [
          ...(this.netns ? ["netns", "exec", this.netns, ipmitool] : []),
          "-I",
          "lanplus",
          "-H",
          this.addr,
          "-p",
          String(this.port),
          "-U",
          this.account,
          "-E",
          "-C",
          "3",
          "-N",
          "1",
          "-R",
          "1",
          "chassis",
          "power",
          "status",
        ],
        { env: { IPMI_PASSWORD: this.password }, reject: false, timeout: 5000, stdin: "ignore" },
      );
      if (probe.exitCode === 0 && /Chassis Power is/.test(String(probe.stdout))) return;
      last = String(probe.stderr);
      await sleep(100);
    }
    throw new Error(
      `ipmi_sim on ${this.addr}:${this.port} did not answer within ${timeoutMs} ms: ${last.trim()} ${this.#stderr.trim()}`,
    );
  }
}

export function startIpmiSim(options: IpmiSimOptions = {}): Promise<IpmiSim> {
  return IpmiSim.start(options);
}

/**
 * Ports this process handed out (never handed out twice): simulators started together each
 * pick a port before any of them binds it, and the kernel may offer a just-closed port again
 * (seen in CI: two of 32 ipmi_sim instances got the same port).
 */
const handedOut = new Set<number>();

/** A UDP port on 127.0.0.1 that was free a moment ago and that no other caller here got. */
export async function freeUdpPort(): Promise<number> {
  for (;;) {
    const socket = createSocket("udp4");
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(0, "127.0.0.1", () => resolve());
    });
    const { port } = socket.address();
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
}
