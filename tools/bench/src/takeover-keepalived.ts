// The peer: keepalived's VRRP failover in the same namespaces, at haconn's detection budget:
// advert_int = heartbeat × missCount / 3 (haconn's DEFAULT_TIMING, which haconnd runs with), so
// keepalived's master-down interval 3 × advert_int + skew equals haconn's heartbeat timeout
// plus a skew of (256 − priority) / 256 × advert_int; priority 254 (the highest a non-owner
// may have) on both nodes makes the skew 2/256 of an advert (~1.6 ms at 0.2 s). Both nodes
// start BACKUP; VRRPv3 (v2 takes whole seconds only). Adverts go by unicast over the duplex LAN (dx0, the link haconn's heartbeats
// use, inside the bench's namespaces only); the VIP lives on the reset-path LAN (rp0), where
// keepalived sends its gratuitous ARP. Each node runs keepalived (VRRP only, its own config
// and pid files in a temp dir) and a UDP echo responder that answers with the node's name —
// the service behind the VIP. A run kills, freezes (SIGSTOP of the VRRP child) or cuts the
// duplex LAN (takeover-modes.ts) and measures until the prober in the HA monitor's namespace
// gets its first answer from the BACKUP through the VIP, and when the kernel reports the VIP
// on the BACKUP. keepalived fences nothing: after kill -9 or a freeze the VIP stays on the old
// MASTER's interface, after a cut both nodes are MASTER; the bench counts the two holders until
// the end of the window, then cleans up as an operator would (deletes the dead master's VIP,
// resumes the frozen one, mends the link) and starts a killed keepalived again as BACKUP.

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { DEFAULT_TIMING } from "@haconn/ha";
import { overlaps } from "./takeover-address-watch.js";
import { fmt, type TakeoverRun, wallNow } from "./takeover-haconn.js";
import { ECHO_PORT, KA_VIP, NODES, type NodeName, other, type TakeoverLab } from "./takeover-lab.js";
import { type FailureMode, MODE_TEXT, WINDOW_AFTER_ANSWER_MS } from "./takeover-modes.js";
import type { ProberClient } from "./takeover-prober.js";
import { runCommand, sleep, waitFor } from "./takeover-support.js";

export const KEEPALIVED = "/usr/sbin/keepalived";

/** haconn's heartbeat timeout (heartbeat × missCount), the budget keepalived gets. */
export const BUDGET_MS = DEFAULT_TIMING.heartbeatMs * DEFAULT_TIMING.missCount;
export const KA_PRIORITY = 254;
/** advert_int in seconds, to the centisecond keepalived accepts: 3 × advert ≈ the budget. */
export const KA_ADVERT_S = Math.round(BUDGET_MS / 3 / 10) / 100;
/** keepalived's master-down interval: 3 × advert + (256 − priority) × advert / 256. */
export const KA_MASTER_DOWN_MS = 3 * KA_ADVERT_S * 1000 + ((256 - KA_PRIORITY) * KA_ADVERT_S * 1000) / 256;

const DUPLEX_ADDR: Record<NodeName, string> = { HACON1: "10.79.3.1", HACON2: "10.79.3.2" };

export function keepalivedConfig(node: NodeName): string {
  return `# haconn takeover bench: VRRP by unicast on the duplex LAN inside the bench's namespaces only
global_defs {
  router_id ${node}
  vrrp_version 3
}
vrrp_instance HCX5 {
  state BACKUP
  interface dx0
  unicast_src_ip ${DUPLEX_ADDR[node]}
  unicast_peer {
    ${DUPLEX_ADDR[other(node)]}
  }
  virtual_router_id 79
  priority ${KA_PRIORITY}
  advert_int ${KA_ADVERT_S}
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

  #vrrpPid(n: NodeName): number | undefined {
    const f = this.#file(n, "vrrp.pid");
    return existsSync(f) ? Number(readFileSync(f, "utf8").trim()) : undefined;
  }

  async run(run: number, master: NodeName, mode: FailureMode): Promise<TakeoverRun> {
    const backup = other(master);
    const watch = this.lab.watch!;
    const initial = await watch.holders(KA_VIP);
    const vrrp = this.#vrrpPid(master);
    // A random phase against the heartbeats/adverts, so runs do not lock onto one phase.
    await sleep(Math.random() * 1000);
    const t0 = wallNow();
    if (mode === "kill9") await this.kill9(master);
    else if (mode === "freeze" && vrrp) process.kill(vrrp, "SIGSTOP");
    else if (mode === "cut") await this.lab.cutDuplex();
    await this.prober.start("echo", KA_VIP, ECHO_PORT, 10);
    const answer = await this.prober.first((a) => a.t >= t0 && a.responder === backup, 20_000);
    await sleep(WINDOW_AFTER_ANSWER_MS);
    const end = (answer?.t ?? wallNow()) + WINDOW_AFTER_ANSWER_MS;
    await this.prober.stop();
    const two = overlaps(watch.events, initial, KA_VIP, t0, end);
    // The operator's cleanup: the dead master's VIP goes; the frozen one resumes; the link is mended.
    if (mode === "kill9") {
      await runCommand("ip", ["-n", this.lab.ns[master], "addr", "del", `${KA_VIP}/24`, "dev", "rp0"]).catch(
        () => "",
      );
    } else if (mode === "freeze" && vrrp) {
      process.kill(vrrp, "SIGCONT");
    } else if (mode === "cut") {
      await this.lab.restoreDuplex();
    }
    await sleep(100);
    const vip = watch.firstAdded(backup, KA_VIP, t0);
    const result: TakeoverRun = {
      run,
      mode,
      killed: master,
      ...(vip !== undefined ? { vipMs: vip - t0 } : {}),
      ...(answer ? { answerMs: answer.t - t0 } : { error: "no answer from the BACKUP within 20 s" }),
      overlapMs: two.totalMs,
      overlapCount: two.count,
    };
    if (mode === "kill9") {
      this.start(master);
      await this.waitVrrpChild(master);
    }
    await sleep(1500); // adverts from the MASTER: the restarted or resumed node is BACKUP again
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
  modes: readonly FailureMode[],
  log: (line: string) => void,
): Promise<TakeoverRun[]> {
  const out: TakeoverRun[] = [];
  await pair.startEcho();
  for (const n of NODES) pair.start(n);
  await Promise.all(NODES.map((n) => pair.waitVrrpChild(n)));
  try {
    for (let i = 1; i <= runs; i++) {
      for (const mode of modes) {
        const master = await pair.settle();
        const r = await pair.run(i, master, mode);
        out.push(r);
        log(
          `  keepalived run ${String(i).padStart(2)} ${MODE_TEXT[mode]} (MASTER ${r.killed}) → VIP on BACKUP ${fmt(r.vipMs)}, ` +
            `answered ${fmt(r.answerMs)}; two VIP holders ${r.overlapCount}× ${r.overlapMs.toFixed(0)} ms${r.error ? ` — ${r.error}` : ""}`,
        );
      }
    }
  } catch (error) {
    log(`keepalived output:\n${NODES.map((n) => `[${n}] ${pair.output[n].join("")}`).join("\n")}`);
    throw error;
  } finally {
    await pair.stopAll();
  }
  return out;
}
