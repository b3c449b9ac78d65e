// The peer: keepalived's VRRP failover in the same namespaces, with its default settings
// (advert_int 1, priority 100, both nodes starting BACKUP, preemption as shipped). Each node
// runs keepalived (VRRP only, its own config and pid files in a temp dir) and a UDP echo
// responder that answers with the node's name — the service behind the VIP. A run kills the
// MASTER's keepalived with SIGKILL (its parent stopped first so it cannot respawn the VRRP
// child; neither can send a goodbye advert), and measures until the prober in the HA
// monitor's namespace gets its first answer from the BACKUP through the VIP, and when the
// kernel reports the VIP on the BACKUP. After kill -9 the VIP stays on the dead master's
// interface (two holders); the bench removes it there, as the host's cleanup would, then starts
// that keepalived again: it comes back as BACKUP.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { overlapMs } from "./takeover-address-watch.js";
import { fmt, type TakeoverRun, wallNow } from "./takeover-haconn.js";
import { ECHO_PORT, KA_VIP, NODES, type NodeName, other, type TakeoverLab } from "./takeover-lab.js";
import type { ProberClient } from "./takeover-prober.js";
import { runCommand, sleep, waitFor } from "./takeover-support.js";

export const KEEPALIVED = "/usr/sbin/keepalived";

export function keepalivedConfig(node: string): string {
  return `# haconn takeover bench: keepalived defaults, VRRP inside the bench's namespaces only
global_defs {
  router_id ${node}
}
vrrp_instance HCX5 {
  state BACKUP
  interface rp0
  virtual_router_id 79
  priority 100
  advert_int 1
  virtual_ipaddress {
    ${KA_VIP}/24 dev rp0
  }
}
`;
}

export class KeepalivedPair {
  readonly dir = mkdtempSync(join(tmpdir(), "haconn-hcx5-keepalived-"));
  readonly proc: Partial<Record<NodeName, ChildProcess>> = {};
  readonly output: Record<NodeName, string[]> = { HACON1: [], HACON2: [] };

  constructor(
    readonly lab: TakeoverLab,
    readonly prober: ProberClient,
    readonly benchFile: string,
  ) {}

  #file(n: NodeName, what: string): string {
    return join(this.dir, `${n}.${what}`);
  }

  async startEcho(): Promise<void> {
    await Promise.all(
      NODES.map(
        (n) =>
          new Promise<void>((resolve, reject) => {
            const child = this.lab.spawnTracked(
              this.lab.inNs(this.lab.ns[n], [
                process.execPath,
                this.benchFile,
                "--echo",
                String(ECHO_PORT),
                n,
              ]),
            );
            const timer = setTimeout(() => reject(new Error(`echo responder on ${n} did not start`)), 20_000);
            child.stdout!.once("data", () => {
              clearTimeout(timer);
              resolve();
            });
          }),
      ),
    );
  }

  start(n: NodeName): void {
    writeFileSync(this.#file(n, "conf"), keepalivedConfig(n));
    for (const f of ["pid", "vrrp.pid", "checkers.pid", "bfd.pid"]) rmSync(this.#file(n, f), { force: true });
    const argv = [
      KEEPALIVED,
      "--dont-fork",
      "--log-console",
      "--log-detail",
      "--no-syslog",
      "--vrrp",
      "--use-file",
      this.#file(n, "conf"),
      "--pid",
      this.#file(n, "pid"),
      "--vrrp_pid",
      this.#file(n, "vrrp.pid"),
      "--checkers_pid",
      this.#file(n, "checkers.pid"),
      "--bfd_pid",
      this.#file(n, "bfd.pid"),
    ];
    const child = this.lab.spawnTracked(this.lab.inNs(this.lab.ns[n], argv));
    const keep = (d: Buffer) => {
      this.output[n].push(d.toString());
      if (this.output[n].length > 100) this.output[n].splice(0, 50);
    };
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    this.proc[n] = child;
  }

  /** kill -9 of a node's keepalived: parent stopped, VRRP child killed, parent killed. */
  async kill9(n: NodeName): Promise<void> {
    const parent = this.proc[n];
    const vrrpFile = this.#file(n, "vrrp.pid");
    const vrrp = existsSync(vrrpFile) ? Number(readFileSync(vrrpFile, "utf8").trim()) : undefined;
    if (parent?.pid) process.kill(parent.pid, "SIGSTOP");
    if (vrrp) process.kill(vrrp, "SIGKILL");
    parent?.kill("SIGKILL");
    delete this.proc[n];
  }

  async waitVrrpChild(n: NodeName): Promise<void> {
    await waitFor(
      "keepalived's VRRP child",
      () => (existsSync(this.#file(n, "vrrp.pid")) ? true : undefined),
      20_000,
    );
  }

  /** Waits for exactly one VIP holder that answers through the VIP. */
  async settle(timeoutMs = 30_000): Promise<NodeName> {
    const master = await waitFor(
      "one keepalived MASTER holding the VIP",
      async () => {
        const h = await this.lab.watch!.holders(KA_VIP);
        const holders = NODES.filter((n) => h.get(n));
        return holders.length === 1 ? holders[0] : undefined;
      },
      timeoutMs,
      100,
    );
    const since = wallNow();
    await this.prober.start("echo", KA_VIP, ECHO_PORT, 100);
    const a = await this.prober.first((x) => x.t >= since && x.responder === master, timeoutMs);
    await this.prober.stop();
    if (!a) throw new Error(`VIP ${KA_VIP} not answered by the MASTER ${master}`);
    return master;
  }

  async run(run: number, master: NodeName): Promise<TakeoverRun> {
    const backup = other(master);
    const watch = this.lab.watch!;
    const initial = await watch.holders(KA_VIP);
    // A random phase against the heartbeats/adverts, so runs do not lock onto one phase.
    await sleep(Math.random() * 1000);
    const t0 = wallNow();
    await this.kill9(master);
    await this.prober.start("echo", KA_VIP, ECHO_PORT, 10);
    const answer = await this.prober.first((a) => a.t >= t0 && a.responder === backup, 20_000);
    await this.prober.stop();
    await sleep(250);
    // The host's cleanup after the crash: the dead master's VIP goes.
    await runCommand("ip", ["-n", this.lab.ns[master], "addr", "del", `${KA_VIP}/24`, "dev", "rp0"]).catch(
      () => "",
    );
    const cleaned = wallNow();
    await sleep(100);
    const vip = watch.firstAdded(backup, KA_VIP, t0);
    const result: TakeoverRun = {
      run,
      killed: master,
      ...(vip !== undefined ? { vipMs: vip - t0 } : {}),
      ...(answer ? { answerMs: answer.t - t0 } : { error: "no answer from the BACKUP within 20 s" }),
      overlapMs: overlapMs(watch.events, initial, KA_VIP, t0, cleaned),
    };
    this.start(master);
    await this.waitVrrpChild(master);
    await sleep(1500); // at least one advert from the new MASTER: the restarted node stays BACKUP
    return result;
  }

  async stopAll(): Promise<void> {
    for (const n of NODES) {
      const c = this.proc[n];
      if (c && c.exitCode === null && c.signalCode === null) {
        const exited = new Promise((r) => c.once("exit", r));
        c.kill("SIGTERM");
        await Promise.race([exited, sleep(5000)]);
        if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
      }
      delete this.proc[n];
    }
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function keepalivedTakeovers(
  pair: KeepalivedPair,
  runs: number,
  log: (line: string) => void,
): Promise<TakeoverRun[]> {
  const out: TakeoverRun[] = [];
  await pair.startEcho();
  for (const n of NODES) pair.start(n);
  await Promise.all(NODES.map((n) => pair.waitVrrpChild(n)));
  try {
    for (let i = 1; i <= runs; i++) {
      const master = await pair.settle();
      const r = await pair.run(i, master);
      out.push(r);
      log(
        `  keepalived run ${String(i).padStart(2)}: kill -9 MASTER ${r.killed} → VIP on BACKUP ${fmt(r.vipMs)}, ` +
          `answered ${fmt(r.answerMs)}; two VIP holders ${r.overlapMs.toFixed(0)} ms${r.error ? ` — ${r.error}` : ""}`,
      );
    }
  } catch (error) {
    log(`keepalived output:\n${NODES.map((n) => `[${n}] ${pair.output[n].join("")}`).join("\n")}`);
    throw error;
  } finally {
    await pair.stopAll();
  }
  return out;
}
