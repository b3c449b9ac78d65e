// haconn's takeover, run after run: kill -9, freeze (SIGSTOP) or duplex cut of the active
// haconnd (takeover-modes.ts); the standby notices the silent peer (default timing: 200 ms
// heartbeats, 3 missed; 2 after kill -9, whose stream closes and whose port refuses the
// reconnect), fences it through its iLO
// (ipmi_sim; the reset hook "reboots" the server: its VIP goes), adds the VIP, announces it,
// and answers CHECK. Measured from the kill to the first CHECK-REPLY from the new active, seen
// by the prober in the HA monitor's namespace; the fence and the VIP from the BMC's action log
// and the kernel's address notifications. The killed node is started again as standby and
// the next run kills the other one.

import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { overlaps } from "./takeover-address-watch.js";
import { NODES, type NodeName, other, RP_PORT, type TakeoverLab, VIP } from "./takeover-lab.js";
import { type FailureMode, MODE_TEXT, WINDOW_AFTER_ANSWER_MS } from "./takeover-modes.js";
import type { ProberClient } from "./takeover-prober.js";
import { cli, type DaemonProcess, type LabDirs, sleep, startDaemon, waitFor } from "./takeover-support.js";

export interface TakeoverRun {
  run: number;
  mode: FailureMode;
  killed: string;
  /** Milliseconds from the failure; undefined when not seen. */
  detectedMs?: number;
  /**
   * haconn: the standby's own figure, how long its peer had been silent (since the last
   * authenticated heartbeat) when it decided to fence (its log line's `silentMs`): the detection
   * phase without the failure's random phase against the heartbeats.
   */
  silentMs?: number;
  fencedMs?: number;
  vipMs?: number;
  answerMs?: number;
  /** Milliseconds two nodes held the VIP at once, from the failure to the window's end. */
  overlapMs: number;
  /** Separate moments with two holders in that window. */
  overlapCount: number;
  error?: string;
}

/** The last `lines` lines of a node's event logs (for a diagnosis in the bench's output). */
async function logTail(dirs: LabDirs, lines: number): Promise<string> {
  const files = await readdir(dirs.log, { recursive: true }).catch(() => [] as string[]);
  const all: string[] = [];
  for (const f of files) {
    const body = await readFile(join(dirs.log, f), "utf8").catch(() => "");
    all.push(...body.split("\n").filter((l) => l.startsWith("{")));
  }
  return all.slice(-lines).join("\n");
}

/**
 * The first event-log line at or after `since` (epoch ms) whose message contains `text`: its
 * time and the fields logged with it.
 */
export async function loggedLine(
  dirs: LabDirs,
  text: string,
  since: number,
): Promise<{ at: number; fields: Record<string, unknown> } | undefined> {
  const files = await readdir(dirs.log, { recursive: true }).catch(() => [] as string[]);
  let first: { at: number; fields: Record<string, unknown> } | undefined;
  for (const f of files) {
    const body = await readFile(join(dirs.log, f), "utf8").catch(() => "");
    for (const line of body.split("\n")) {
      if (!line.includes(text)) continue;
      try {
        // The event log's time is an ISO string (ms precision); epoch ms accepted too.
        const fields = JSON.parse(line) as Record<string, unknown>;
        const raw = fields.time;
        const t = typeof raw === "string" ? Date.parse(raw) : raw;
        if (typeof t === "number" && t >= since && (first === undefined || t < first.at))
          first = { at: t, fields };
      } catch {
        // not a JSON line
      }
    }
  }
  return first;
}

export const wallNow = () => performance.timeOrigin + performance.now();

export class HaconnPair {
  readonly proc: Partial<Record<NodeName, DaemonProcess>> = {};
  /** Times the pair did not settle between runs and was started again (logged with its state). */
  restarts = 0;

  constructor(
    readonly lab: TakeoverLab,
    readonly prober: ProberClient,
    readonly log: (line: string) => void,
  ) {}

  async start(n: NodeName): Promise<void> {
    const p = await startDaemon(
      this.lab.nodeDirs[n],
      { HACONN_NODE_NAME: n, HACONN_VIP: "ip" },
      this.lab.inNs(this.lab.ns[n], []),
      (child) => {
        this.lab.children.add(child);
        child.once("exit", () => this.lab.children.delete(child));
      },
    );
    this.proc[n] = p;
    this.lab.armReset(n, p.child.pid);
  }

  async stopAll(): Promise<void> {
    await Promise.all(NODES.map((n) => this.proc[n]?.stop()));
    for (const n of NODES) delete this.proc[n];
  }

  async status(n: NodeName): Promise<{ role?: string; peer?: Record<string, unknown> } | undefined> {
    if (!this.proc[n]) return undefined;
    try {
      const s = JSON.parse(await cli(this.lab.nodeDirs[n], "haconnshow", ["status", "--json"]));
      const mine = s.mservers.find((m: { name: string }) => m.name === n);
      const peer = s.mservers.find((m: { name: string }) => m.name === other(n));
      return { role: mine?.role, peer };
    } catch {
      return undefined;
    }
  }

  /** Waits for one active holding the VIP and answering CHECK, and a synchronised standby. */
  async settle(timeoutMs = 40_000): Promise<NodeName> {
    const active = await waitFor(
      "one active and one standby",
      async () => {
        const [a, b] = await Promise.all(NODES.map((n) => this.status(n)));
        if (a?.role === "active" && b?.role === "standby") return "HACON1" as const;
        if (b?.role === "active" && a?.role === "standby") return "HACON2" as const;
        return undefined;
      },
      timeoutMs,
      200,
    );
    await waitFor(
      "the VIP on the active only",
      async () => {
        const h = await this.lab.watch!.holders(VIP);
        return h.get(active) && !h.get(other(active)) ? true : undefined;
      },
      timeoutMs,
      100,
    );
    const since = wallNow();
    await this.prober.start("check", VIP, RP_PORT, 100);
    const answer = await this.prober.first((a) => a.t >= since && a.responder === active, timeoutMs);
    await this.prober.stop();
    if (!answer) throw new Error(`CHECK not answered by the active ${active}`);
    // The standby has heard the active's state for a while: heartbeats and the sync stream.
    await sleep(1000);
    return active;
  }

  /** Inflicts `mode` on the active node's daemon `victim` (cut: on the duplex LAN). */
  async fail(victim: DaemonProcess, mode: FailureMode): Promise<void> {
    if (mode === "kill9") victim.child.kill("SIGKILL");
    else if (mode === "freeze") victim.child.kill("SIGSTOP");
    else await this.lab.cutDuplex();
  }

  async run(run: number, active: NodeName, mode: FailureMode): Promise<TakeoverRun> {
    const standby = other(active);
    const watch = this.lab.watch!;
    const initial = await watch.holders(VIP);
    const victim = this.proc[active]!;
    // A random phase against the heartbeats/adverts, so runs do not lock onto one phase.
    await sleep(Math.random() * 1000);
    const t0 = wallNow();
    await this.fail(victim, mode);
    await this.prober.start("check", VIP, RP_PORT, 10);
    const answer = await this.prober.first(
      (a) => a.t >= t0 && a.responder === standby && a.role === "active",
      20_000,
    );
    // Keep watching the addresses for a while: a second holder after the answer counts too.
    await sleep(WINDOW_AFTER_ANSWER_MS);
    const end = (answer?.t ?? wallNow()) + WINDOW_AFTER_ANSWER_MS;
    await this.prober.stop();
    if (mode === "cut") await this.lab.restoreDuplex();
    if (mode === "freeze") victim.child.kill("SIGCONT"); // normally the fence killed it already
    await victim.stop();
    delete this.proc[active];
    await sleep(300); // late address notifications
    const fenced = await this.lab.resetAt(active, t0);
    // "peer X lost (heartbeat timeout[, stream closed and reconnect refused]); fencing it before taking over"
    const decision = await loggedLine(this.lab.nodeDirs[standby], "fencing it before taking over", t0 - 5);
    const detected = decision?.at;
    const silent = decision?.fields.silentMs;
    const vip = watch.firstAdded(standby, VIP, t0);
    const two = overlaps(watch.events, initial, VIP, t0, end);
    const result: TakeoverRun = {
      run,
      mode,
      killed: active,
      ...(detected !== undefined ? { detectedMs: Math.max(0, detected - t0) } : {}),
      ...(typeof silent === "number" ? { silentMs: silent } : {}),
      ...(fenced !== undefined ? { fencedMs: fenced - t0 } : {}),
      ...(vip !== undefined ? { vipMs: vip - t0 } : {}),
      ...(answer ? { answerMs: answer.t - t0 } : { error: "no CHECK answer from the standby within 20 s" }),
      overlapMs: two.totalMs,
      overlapCount: two.count,
    };
    // The fenced server "rebooted": it comes back as the standby.
    await this.start(active);
    return result;
  }
}

/** `runs` rounds of takeovers, one per mode in each round, alternating nodes; a failed run restarts both daemons. */
export async function haconnTakeovers(
  pair: HaconnPair,
  runs: number,
  modes: readonly FailureMode[],
  log: (line: string) => void,
): Promise<TakeoverRun[]> {
  const out: TakeoverRun[] = [];
  await Promise.all(NODES.map((n) => pair.start(n)));
  for (let i = 1; i <= runs; i++) {
    for (const mode of modes) {
      const active = await pair.settle().catch(async (error: unknown) => {
        // Not a takeover failure (nothing was inflicted yet): say what the pair showed, start it
        // again and count it; a second failure ends the bench.
        pair.restarts++;
        const seen = await Promise.all(
          NODES.map(async (n) => `${n}: ${JSON.stringify(await pair.status(n))}`),
        );
        log(`  pair did not settle (${String(error)}); ${seen.join("; ")}; restarting both daemons`);
        for (const n of NODES) log(`  [${n} event log tail]\n${await logTail(pair.lab.nodeDirs[n], 15)}`);
        await pair.stopAll();
        await Promise.all(NODES.map((n) => pair.start(n)));
        return pair.settle();
      });
      const r = await pair.run(i, active, mode);
      out.push(r);
      log(
        `  haconn run ${String(i).padStart(2)} ${MODE_TEXT[mode]} ${r.killed} → detected ${fmt(r.detectedMs)} (peer silent ${fmt(r.silentMs)}), fenced ${fmt(r.fencedMs)}, ` +
          `VIP ${fmt(r.vipMs)}, CHECK answered ${fmt(r.answerMs)}; two VIP holders ${r.overlapCount}× ${r.overlapMs.toFixed(0)} ms${r.error ? ` — ${r.error}` : ""}`,
      );
      if (r.error) {
        await pair.stopAll();
        await Promise.all(NODES.map((n) => pair.start(n)));
      }
    }
  }
  await pair.stopAll();
  log(`  haconn: pair restarted ${pair.restarts} time(s) because it did not settle between runs`);
  return out;
}

export const fmt = (ms: number | undefined) => (ms === undefined ? "—" : `${ms.toFixed(0)} ms`);
