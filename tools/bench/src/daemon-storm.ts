// The storm: 32 RESETs sent at once, one per server (16 physical systems, and one guest on each
// of the 16 ESXi hosts), each by another monitor of the target's cluster, no dump notice. What
// is timed, from the epoch time each RESET was sent: RESET-ACCEPTED at its requester; the NMI
// carried out at the BMC (ipmi_sim's NMI module log) or at the ESXi host (EsxiSim's command
// record); the daemon's own stamps (reset log: RM-RESET RECV, SOFTRESET/HARDRESET SEND), hence
// the hardware reset's offset from NMI + hispeed; every RESET-RESULT. Meanwhile the service's
// processes are sampled every few ms for ipmitool processes that were not there before.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { esxiActions } from "./daemon-helpers.js";
import type { Maxima, MonitorEntry } from "./daemon-maxima.js";
import { commOf, type ServiceCpu } from "./daemon-proc.js";
import { logTime } from "./e2e-harness.js";

const epochNow = () => performance.timeOrigin + performance.now();

/** CPU time (ns, every thread) of every process of the machine, by pid, with its name. */
function machineCpu(names: ReadonlyMap<number, string>): Map<number, { comm: string; ns: number }> {
  const out = new Map<number, { comm: string; ns: number }>();
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      let ns = 0;
      for (const tid of readdirSync(`/proc/${pid}/task`))
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
      out.set(pid, { comm: names.get(pid) ?? readFileSync(`/proc/${pid}/comm`, "utf8").trim(), ns });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Who had the CPUs between two snapshots: ms by process name, largest first. */
function cpuByName(
  before: Map<number, { comm: string; ns: number }>,
  after: Map<number, { comm: string; ns: number }>,
): [string, number][] {
  const byName = new Map<string, number>();
  for (const [pid, a] of after) {
    const ms = (a.ns - (before.get(pid)?.ns ?? 0)) / 1e6;
    if (ms > 0) byName.set(a.comm, (byName.get(a.comm) ?? 0) + ms);
  }
  return [...byName].sort((x, y) => y[1] - x[1]);
}

/** The daemon's main thread: ns on a CPU, ns runnable but waiting for one (/proc schedstat). */
function schedstat(pid: number): { runNs: number; waitNs: number } | undefined {
  try {
    const [run, wait] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, "utf8").trim().split(/\s+/);
    return { runNs: Number(run), waitNs: Number(wait) };
  } catch {
    return undefined;
  }
}

export interface StormTarget {
  target: MonitorEntry;
  requester: MonitorEntry;
  sentAt: number;
  acceptedMs?: number;
  resultMs?: number;
  result?: string;
  nmiAtDeviceMs?: number;
  recvMs?: number;
  /** Daemon stamps: HARDRESET SEND − SOFTRESET SEND − hispeed (physical only). */
  hardOffsetMs?: number;
  /** At the BMC: reset − nmi − hispeed (physical only). */
  hardOffsetAtBmcMs?: number;
}

export interface StormOutcome {
  targets: StormTarget[];
  /** ipmitool processes seen in the service during the storm that were not running before it. */
  newIpmitool: number;
  startedAt: number;
  endedAt: number;
  /** The bench's own time to encode, sign and send the 32 RESETs, first to last. */
  encodeMs: number;
  /**
   * The daemon's main thread from the first send to the last RESET-ACCEPTED: time on a CPU and
   * time runnable but waiting for a CPU (other processes of the machine had both cores).
   */
  acceptPhase?: { wallMs: number; runMs: number; waitMs: number; cpuByName: [string, number][] };
}

function pickTargets(monitors: readonly MonitorEntry[]): { target: MonitorEntry; requester: MonitorEntry }[] {
  const out: { target: MonitorEntry; requester: MonitorEntry }[] = [];
  const clusters = new Set(monitors.map((m) => m.cluster));
  for (const c of clusters) {
    const members = monitors.filter((m) => m.cluster === c);
    const guests = members.filter((m) => m.vm !== null);
    const physical = members.find((m) => m.vm === null)!;
    out.push({ target: physical, requester: guests[2]! });
    out.push({ target: guests[0]!, requester: guests[1]! });
  }
  return out;
}

export async function runStorm(max: Maxima, cpu: ServiceCpu, timeoutMs = 30_000): Promise<StormOutcome> {
  // The service's processes every 5 ms: one read of the cgroup's list, and a name read only for
  // a process not seen before (the sampler must not take the CPU the storm is measured on).
  const before = new Set(cpu.pids());
  const known = new Set(before);
  const seen = new Set<number>();
  let sampling = true;
  const sample = () => {
    if (!sampling) return;
    for (const p of cpu.pids()) {
      if (known.has(p)) continue;
      known.add(p);
      if (commOf(p) === "ipmitool") seen.add(p);
    }
    setTimeout(sample, 5);
  };
  const offset = statSync(max.dirs.resetlog, { throwIfNoEntry: false })?.size ?? 0;
  const targets: StormTarget[] = pickTargets(max.monitors).map((t) => ({ ...t, sentAt: 0 }));
  const daemonPid = max.daemon.pid!;
  let accepted = 0;
  let acceptPhase: StormOutcome["acceptPhase"];
  const sched0 = schedstat(daemonPid);
  // Node processes all name their main thread "MainThread": ours are named by role.
  const names = new Map<number, string>([
    [daemonPid, "haconnd"],
    [process.pid, "bench (monitors)"],
    [max.sims.child.pid!, "simulators (ESXi, PDU)"],
  ]);
  const cpu0 = machineCpu(names);
  for (const t of targets) {
    t.requester.monitor.channel.onMessage((m) => {
      if (m.type === "reset-accepted" && t.acceptedMs === undefined && t.sentAt > 0) {
        t.acceptedMs = epochNow() - t.sentAt;
        if (++accepted === targets.length) {
          const sched1 = schedstat(daemonPid);
          const wallMs = epochNow() - startedAt;
          if (sched0 && sched1)
            acceptPhase = {
              wallMs,
              runMs: (sched1.runNs - sched0.runNs) / 1e6,
              waitMs: (sched1.waitNs - sched0.waitNs) / 1e6,
              cpuByName: cpuByName(cpu0, machineCpu(names)),
            };
        }
      }
    });
  }
  // Each RESET's send time is taken as it goes out (the channel's send hook runs after the
  // encoding, right before the datagram is handed to the socket), so the figures start at the
  // wire and not while the bench was still encoding the RESETs before it.
  for (const t of targets) {
    t.requester.monitor.channel.rp.onSend((m) => {
      if (m.type === "reset" && t.sentAt === 0) t.sentAt = epochNow();
    });
  }
  const startedAt = epochNow();
  sample();
  const outcomes = targets.map((t) =>
    t.requester.monitor
      .reset({ subsystem: t.target.subsystem, systemName: t.target.system }, { resultTimeoutMs: timeoutMs })
      .then((o) => {
        if (o.result) {
          t.result = o.result.result;
          t.resultMs = epochNow() - t.sentAt;
        }
      }),
  );
  const encodeMs = epochNow() - startedAt;
  await Promise.all(outcomes);
  const endedAt = epochNow();
  sampling = false;
  await new Promise((r) => setTimeout(r, 300)); // the last reset-log lines are written after the datagrams

  const log = readFileSync(max.dirs.resetlog).subarray(offset).toString("utf8").split("\n");
  const stamp = (re: RegExp) => {
    const line = log.find((l) => re.test(l));
    return line ? logTime(line) : Number.NaN;
  };
  const esxi = await esxiActions(max.sims.child);
  for (const t of targets) {
    const sub = t.target.subsystem;
    t.recvMs = stamp(new RegExp(` RM-RESET \\S+ ${sub} RECV `)) - t.sentAt;
    if (t.target.vm === null) {
      const bmc = max.bmcs[Number(t.target.system.slice(2)) - 1]!;
      const acts = await bmc.actions();
      const nmi = acts.find((a) => a.action === "nmi");
      const reset = acts.find((a) => a.action === "reset");
      if (nmi) t.nmiAtDeviceMs = nmi.atMs - t.sentAt;
      if (nmi && reset) t.hardOffsetAtBmcMs = reset.atMs - nmi.atMs - max.hispeedMs;
      const soft = stamp(new RegExp(` SOFTRESET \\S+ ${sub} SEND `));
      const hard = stamp(new RegExp(` HARDRESET \\S+ ${sub} SEND `));
      t.hardOffsetMs = hard - soft - max.hispeedMs;
    } else {
      const host = t.target.cluster;
      const nmi = esxi.find((a) => a.host === host && a.command.endsWith(" nmi") && a.at >= t.sentAt - 1);
      if (nmi) t.nmiAtDeviceMs = nmi.at - t.sentAt;
    }
  }
  return {
    targets,
    newIpmitool: seen.size,
    startedAt,
    endedAt,
    encodeMs,
    ...(acceptPhase ? { acceptPhase } : {}),
  };
}
