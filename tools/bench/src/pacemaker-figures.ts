// The Pacemaker figures of issue 18 §5 that the fence-time bench did not have, on the race
// bench's two-node lab (same simulators): a dead BMC (the node's ipmi_sim frozen: it answers
// nothing) fenced through (a) a fencing topology, level 1 fence_ipmilan, level 2 fence_ipdu (CIB fencing-topology)
// against the lab's IBM iPDU simulator, or (b) one fence_haconn device with haconn's own PDU
// fallback (pserver ipdusd=on: NMI, hardware reset unacknowledged within `timeout` → outlet
// cut); and node failure (kill -9 corosync on the node running Dummy) → Dummy started on the
// survivor. An outlet switched off kills the node it feeds (all its processes), as the BMC's
// reset does. Every address lives only in the lab's namespaces.

import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { LabPdu } from "../../lab/src/pacemaker/lab-pdu.js";
import { stonithPrimitive } from "../../lab/src/pacemaker/files.js";
import { NET, type PcmkLab, systemOf } from "../../lab/src/scenarios/pacemaker-fixture.js";
import { REPO } from "../../lab/src/scenarios/harness.js";
import { type RaceDevice, RaceLab } from "./pacemaker-race.js";

const NODES = ["pn1", "pn2"];
export const PDU_ADDR = `${NET}.2.60`;
const COMMUNITY = "pcmklab7pdu";
/** haconn's hardware-reset acknowledgement timeout before the PDU cut (the manual's minimum). */
export const PDU_TIMEOUT_S = 5;
const outletOf = (node: string) => NODES.indexOf(node) + 1;

export type FigureDevice = Extract<RaceDevice, "haconn" | "ipmilan">;

export interface FenceSample {
  ms: number;
  ok: boolean;
  /** The node's outlet went off during the request and the node's processes are gone. */
  cut: boolean;
  bmc: string[];
  history: string;
}

export interface FailoverSample {
  /** kill -9 corosync → the victim's processes gone (fenced). */
  fencedMs: number | undefined;
  /** kill -9 corosync → Dummy started on the survivor (crm_mon). */
  dummyMs: number | undefined;
  victim: string;
}

const run = (cmd: string, args: string[]) =>
  new Promise<void>((resolve, reject) => execFile(cmd, args, (e) => (e ? reject(e) : resolve())));

/** Level 2 of the topology: one fence_ipdu device per node (IBM iPDU, SNMP v2c). */
function ipduDevices(): string {
  return NODES.map((n) =>
    stonithPrimitive(
      `fence-ipdu-${n}`,
      "fence_ipdu",
      {
        ip: PDU_ADDR,
        snmp_version: "2c",
        community: COMMUNITY,
        plug: String(outletOf(n)),
        pcmk_host_list: n,
      },
      "60s",
    ),
  ).join("");
}

/** haconn's own PDU fallback for every node: the PDU, its outlets, ipdusd=on. */
function haconnPduSetup(): string[][] {
  return [
    ["snmp", `name=${COMMUNITY}`],
    ["ipdu", "add", PDU_ADDR, "model=IBM_PDU"],
    ...NODES.flatMap((n) => [
      ["pserver", "ipduadd", systemOf(n), `addr=${PDU_ADDR}`, `concent=${outletOf(n)}`],
      ["pserver", "mod", systemOf(n), "ipdusd=on", `timeout=${PDU_TIMEOUT_S}`, "recoverytime=5"],
    ]),
  ];
}

export class FigureLab {
  readonly race: RaceLab;
  pdu: LabPdu | undefined;

  constructor(
    readonly device: FigureDevice,
    prefix: string,
  ) {
    this.race = new RaceLab(
      device,
      prefix,
      device === "haconn"
        ? { after: haconnPduSetup() }
        : { stonith: () => ipduDevices(), devices: NODES.map((n) => `fence-ipdu-${n}`) },
    );
  }

  get lab(): PcmkLab {
    return this.race.lab;
  }

  async setUp(): Promise<void> {
    // The PDU must answer before fence_ipdu's first monitor: the lab's namespaces first.
    const lab = this.lab;
    const origSetUp = lab.pair.setUp.bind(lab.pair);
    lab.pair.setUp = async () => {
      await origSetUp();
      await run("ip", ["-n", lab.pair.ns.bmc, "addr", "add", `${PDU_ADDR}/24`, "dev", "mg0"]);
      this.pdu = await LabPdu.start({
        repo: REPO,
        netns: lab.pair.ns.bmc,
        address: PDU_ADDR,
        community: COMMUNITY,
        onOff: (outlet) => {
          const node = NODES[outlet - 1];
          if (node) void lab.cluster?.node(node).holder?.kill();
        },
      });
    };
    await this.race.setUp();
    if (this.device === "ipmilan") {
      // The topology in the CIB, as `pcs stonith level add` writes it: every node's fencer reads it.
      const levels = NODES.flatMap((n) =>
        (["ipmi", "ipdu"] as const).map(
          (d, i) =>
            `<fencing-level id="fl-${n}-${i + 1}" target="${n}" index="${i + 1}" devices="fence-${d}-${n}"/>`,
        ),
      ).join("");
      const r = await lab.cluster.exec(NODES[0]!, [
        "cibadmin",
        "--create",
        "--scope",
        "configuration",
        "--xml-text",
        `<fencing-topology>${levels}</fencing-topology>`,
      ]);
      if (r.code !== 0) throw new Error(`fencing-topology: ${r.err}`);
    }
  }

  /** Every node up and ready, every BMC answering, every outlet on. */
  async prepare(): Promise<void> {
    for (const n of NODES) {
      this.lab.bmc(n).thaw();
      this.pdu?.switchOn(outletOf(n));
    }
    await this.race.prepare();
  }

  async topology(): Promise<string> {
    const r = await this.lab.cluster.exec(NODES[0]!, ["stonith_admin", "--list-registered"]);
    const levels = await this.lab.cluster.exec(NODES[0]!, [
      "cibadmin",
      "--query",
      "--xpath",
      "//fencing-topology",
    ]);
    return `${r.out.trim()}\n${levels.out.trim()}`;
  }

  /** The fence-time sample of the race lab (no dead BMC), with the PDU check added. */
  async fenceTime(kdump: boolean): Promise<FenceSample> {
    await this.prepare();
    const cutsBefore = this.pdu?.transitions.length ?? 0;
    const r = await this.race.fenceTime(kdump);
    // The simulated kdump kernel's fence_kdump_send (-c 0: until stopped) runs outside the node's
    // holder; a real one ends with the dump's reboot. Left running, it would answer the next fence.
    if (kdump) await this.stopKdumpSenders("pn2");
    return { ...r, cut: this.cutSince(cutsBefore, "pn2"), history: await this.lastHistory("pn2") };
  }

  /**
   * pn2's BMC frozen (SIGSTOP: no answer at all), then `stonith_admin --reboot pn2` on pn1 until its
   * exit: request → "fenced OK" as Pacemaker sees it, and whether pn2 was really cut.
   */
  async deadBmc(): Promise<FenceSample> {
    await this.prepare();
    const before = (await this.lab.bmcActions("pn2")).length;
    const cutsBefore = this.pdu?.transitions.length ?? 0;
    this.lab.bmc("pn2").freeze();
    const t0 = Date.now();
    const r = await this.lab.cluster.exec("pn1", ["stonith_admin", "--reboot", "pn2", "--timeout", "110"], {
      timeoutMs: 120_000,
    });
    const ms = Date.now() - t0;
    // Read before the thaw: the frozen simulator would act on the datagrams queued meanwhile.
    const bmc = (await this.lab.bmcActions("pn2")).slice(before).map((a) => a.action);
    this.lab.bmc("pn2").thaw();
    return {
      ms,
      ok: r.code === 0,
      cut: this.cutSince(cutsBefore, "pn2"),
      bmc,
      history: await this.lastHistory("pn2"),
    };
  }

  /** kill -9 corosync on the node running Dummy → Dummy started on the other (polled crm_mon). */
  async nodeFailure(): Promise<FailoverSample> {
    await this.prepare();
    const c = this.lab.cluster;
    // A node that rejoined may still be taking Dummy over: wait until the cluster has settled and
    // both nodes agree where Dummy runs.
    await c.exec(NODES[0]!, ["crm_resource", "--wait", "--timeout", "30"], { timeoutMs: 40_000 });
    let victim: string | undefined;
    for (const until = Date.now() + 20_000; !victim && Date.now() < until; await sleep(200)) {
      const seen = await Promise.all(NODES.map(async (n) => (await c.state(n))?.resources.dummy ?? []));
      if (seen.every((d) => d.length === 1 && d[0] === seen[0]![0])) victim = seen[0]![0];
    }
    if (!victim) throw new Error("Dummy not settled on one node");
    const survivor = NODES.find((n) => n !== victim)!;
    const t0 = Date.now();
    await c.killCorosync(victim);
    let fencedMs: number | undefined;
    let dummyMs: number | undefined;
    const until = t0 + 60_000;
    while (Date.now() < until && dummyMs === undefined) {
      if (fencedMs === undefined && !c.node(victim).holder?.alive) fencedMs = Date.now() - t0;
      const s = await c.state(survivor);
      if (s?.resources.dummy?.includes(survivor)) dummyMs = Date.now() - t0;
      else await sleep(50);
    }
    if (fencedMs === undefined && !c.node(victim).holder?.alive) fencedMs = dummyMs;
    return { fencedMs, dummyMs, victim };
  }

  /** Kills the fence_kdump_send processes in the node's network namespace (by PID). */
  private async stopKdumpSenders(node: string): Promise<void> {
    const ns = this.lab.cluster.node(node).netns;
    const pids = await new Promise<string>((resolve) =>
      execFile("ip", ["netns", "pids", ns], (e, out) => resolve(e ? "" : String(out))),
    );
    for (const pid of pids.split(/\s+/).filter(Boolean).map(Number)) {
      try {
        if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("fence_kdump_send"))
          process.kill(pid, "SIGKILL");
      } catch {
        // gone
      }
    }
  }

  private cutSince(from: number, node: string): boolean {
    const off = (this.pdu?.transitions ?? [])
      .slice(from)
      .some((t) => t.outlet === outletOf(node) && t.to === "off");
    return off && !this.lab.cluster.node(node).holder?.alive;
  }

  private async lastHistory(node: string): Promise<string> {
    const h = await this.lab.history("pn1", node);
    return (
      h
        .split("\n")
        .filter((l) => l.includes(`of ${node}`))
        .at(0)
        ?.trim() ?? ""
    );
  }

  async tearDown(): Promise<void> {
    try {
      await this.lab.tearDown();
    } finally {
      await this.pdu?.stop();
    }
  }
}
