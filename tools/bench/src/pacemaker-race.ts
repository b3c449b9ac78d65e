// Two-node fence race on a real Pacemaker + corosync cluster (issue 18 §4c): both nodes lose
// each other at once (their cluster-LAN links go down together) and each fences the other.
// Outcome per trial: which nodes were killed by their BMC, and the time from the cut until a
// survivor's `stonith_admin --history` says the other was fenced. Devices compared on the same
// simulators: fence_haconn (the connector's mutual-reset rule), fence_ipmilan without delay,
// fence_ipmilan with pcmk_delay_max.

import { execFile } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { stonithPrimitive } from "../../lab/src/pacemaker/files.js";
import { PcmkLab, type PcmkLabOptions } from "../../lab/src/scenarios/pacemaker-fixture.js";

export type RaceDevice = "haconn" | "ipmilan" | "ipmilan-delay";
export type RaceMode = "cut" | "request";

export interface RaceTrial {
  device: RaceDevice;
  mode: RaceMode;
  trial: number;
  killed: string[];
  /** ms from the cut until a survivor's history shows the fence (undefined when both died). */
  recoveryMs: number | undefined;
}

const NODES = ["pn1", "pn2"];
const PW = "haconn-sim-pw1";

function ipmilanDevices(lab: PcmkLab, delayMax: string | undefined): string {
  return NODES.map((n, i) =>
    stonithPrimitive(
      `fence-ipmi-${n}`,
      "fence_ipmilan",
      {
        ip: lab.pair.bmcAddr,
        ipport: String(9101 + i),
        username: "admin",
        password: PW,
        lanplus: "1",
        cipher: "3",
        pcmk_host_list: n,
        ...(delayMax ? { pcmk_delay_max: delayMax } : {}),
      },
      "60s",
    ),
  ).join("");
}

const ip = (args: string[]) => new Promise<void>((resolve) => execFile("ip", args, () => resolve()));

/** What a bench adds to the lab: haconnsetup commands, stonith devices, devices to wait for. */
export interface RaceLabExtra {
  after?: string[][];
  /** More stonith primitives (XML) after the device's own. */
  stonith?: (lab: PcmkLab) => string;
  devices?: string[];
}

export class RaceLab {
  readonly lab: PcmkLab;
  constructor(
    readonly device: RaceDevice,
    prefix: string,
    private readonly extra: RaceLabExtra = {},
  ) {
    const delay = device === "ipmilan-delay" ? "5s" : undefined;
    const more = (l: PcmkLab) => extra.stonith?.(l) ?? "";
    const options: PcmkLabOptions = {
      prefix,
      nodes: NODES,
      after: [["kdump", "on"], ...(extra.after ?? [])],
      ...(device === "haconn"
        ? extra.stonith
          ? { stonith: (l: PcmkLab) => l.haconnDevice() + more(l) }
          : {}
        : { stonith: (l: PcmkLab) => ipmilanDevices(l, delay) + more(l), stonithIds: [] }),
    };
    this.lab = new PcmkLab(options);
  }

  get devices(): string[] {
    const own = this.device === "haconn" ? ["fence-haconn"] : NODES.map((n) => `fence-ipmi-${n}`);
    return [...own, ...(this.extra.devices ?? [])];
  }

  async setUp(): Promise<void> {
    await this.lab.setUp();
    await this.lab.waitReady(this.devices, 60_000);
  }

  private async link(node: string, up: boolean): Promise<void> {
    await ip(["-n", this.lab.cluster.node(node).netns, "link", "set", "cl0", up ? "up" : "down"]);
  }

  /** Every node up, linked, ready; for haconn, every registration back to normal. */
  async prepare(): Promise<void> {
    const c = this.lab.cluster;
    // A fence_ipmilan killed between its off and its on leaves its target's BMC off: a node
    // that boots again is powered on (else the next `reboot` only switches it on).
    for (const n of NODES) await this.lab.bmc(n).setPower("on");
    for (const n of NODES) await this.link(n, true);
    for (const n of NODES) if (!c.node(n).holder?.alive) await c.startNode(n);
    await this.lab.waitReady(this.devices, 60_000);
    if (this.device !== "haconn") return;
    const until = Date.now() + 30_000;
    for (const n of NODES) {
      for (;;) {
        const r = await c.exec(n, ["cat", "/run/haconn/pcmk-monitor.json"]);
        try {
          if (JSON.parse(r.out).lastReply?.status === "normal") break;
        } catch {
          // not yet
        }
        if (Date.now() > until) throw new Error(`${n} not back to normal at haconn`);
        await sleep(250);
      }
    }
  }

  /**
   * mode "cut": both cluster links go down at once and each node's Pacemaker decides to fence by
   * itself. mode "request": both nodes run `stonith_admin --reboot <the other>` at the same
   * instant (the race window forced open: both fence requests reach the devices together).
   */
  async trial(trial: number, mode: RaceMode = "cut"): Promise<RaceTrial> {
    const c = this.lab.cluster;
    await this.prepare();
    // Each node's history keeps earlier trials: count this trial's success lines only.
    const successes = async (on: string, of: string) =>
      (await this.lab.history(on, of)).split("\n").filter((l) => l.startsWith(`reboot of ${of} successful`))
        .length;
    const baseline = new Map<string, number>();
    for (const [a, b] of [
      ["pn1", "pn2"],
      ["pn2", "pn1"],
    ] as const)
      baseline.set(a, await successes(a, b));
    const t0 = Date.now();
    if (mode === "cut") await Promise.all(NODES.map((n) => this.link(n, false)));
    else
      for (const [a, b] of [
        ["pn1", "pn2"],
        ["pn2", "pn1"],
      ] as const)
        void c.exec(a, ["stonith_admin", "--reboot", b, "--timeout", "50"], { timeoutMs: 60_000 });
    let recoveryMs: number | undefined;
    let settleUntil = t0 + 60_000;
    while (Date.now() < settleUntil) {
      const alive = NODES.filter((n) => c.node(n).holder?.alive);
      if (alive.length === 0) break;
      if (alive.length === 1 && recoveryMs === undefined) {
        const other = NODES.find((n) => n !== alive[0])!;
        if ((await successes(alive[0]!, other)) > baseline.get(alive[0]!)!) {
          recoveryMs = Date.now() - t0;
          settleUntil = Date.now() + 3000; // a late fence of the loser would still land
        }
      }
      await sleep(100);
    }
    const killed = NODES.filter((n) => !c.node(n).holder?.alive);
    if (killed.length !== 1) recoveryMs = undefined;
    return { device: this.device, mode, trial, killed, recoveryMs };
  }

  /**
   * `stonith_admin --reboot pn2` on pn1 until its exit; with `kdump`, pn2 runs fence_kdump_send
   * once its BMC delivers the NMI. The time as Pacemaker sees it (request → "fenced OK").
   */
  async fenceTime(kdump: boolean): Promise<{ ms: number; ok: boolean; bmc: string[] }> {
    await this.prepare();
    const before = (await this.lab.bmcActions("pn2")).length;
    const k = kdump ? this.lab.armKdump("pn2") : undefined;
    const t0 = Date.now();
    const r = await this.lab.cluster.exec("pn1", ["stonith_admin", "--reboot", "pn2", "--timeout", "50"], {
      timeoutMs: 60_000,
    });
    const ms = Date.now() - t0;
    k?.stop();
    const bmc = (await this.lab.bmcActions("pn2")).slice(before).map((a) => a.action);
    return { ms, ok: r.code === 0, bmc };
  }

  tearDown(): Promise<void> {
    return this.lab.tearDown();
  }
}

export function summarize(trials: RaceTrial[]) {
  const by = (k: number) => trials.filter((t) => t.killed.length === k).length;
  const rec = trials
    .map((t) => t.recoveryMs)
    .filter((x): x is number => x !== undefined)
    .sort((a, b) => a - b);
  const q = (p: number) =>
    rec.length ? rec[Math.min(rec.length - 1, Math.floor(p * rec.length))] : undefined;
  return {
    trials: trials.length,
    exactlyOne: by(1),
    bothKilled: by(2),
    noneKilled: by(0),
    recoveryMedianMs: q(0.5),
    recoveryMaxMs: rec.at(-1),
  };
}
