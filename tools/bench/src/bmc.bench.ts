// ipmitool driver benchmark against OpenIPMI ipmi_sim on loopback.
//   pnpm --filter @haconn/bench build && node tools/bench/dist/bmc.bench.js [--seconds N] [--quick] [--json <file>]
// Prints: median/p99 latency of status and reset, one ipmitool process per call vs one
// persistent `ipmitool shell` session; then the CPU cost of polling 32 BMCs (32 ipmi_sim
// instances) once a second for N seconds (default 10) in both modes. Driver CPU = our own
// process plus ipmitool's: reaped children from /proc/self/stat (cutime+cstime) in
// process-per-call mode, the long-lived ipmitool processes' /proc/<pid>/stat in session mode.
// The simulators' own CPU (ipmi_sim forks a chassis script per chassis command) is not counted.
// Peer figure: the bare ipmitool process (the same command line, spawned without the driver).
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { IpmitoolController, IpmitoolSession } from "@haconn/bmc";
import { IpmiSim, ipmiSimFindIpmitool, ipmiSimProcessCpuTicks } from "../../lab/src/ipmi-sim/index.js";
import { type Figure, figure, peer, quickArg, writeBenchJson } from "./report-json.js";

const BMCS = 32;
const TICK_MS = 10; // USER_HZ = 100
const QUICK = quickArg();
/** Sample counts scale down in --quick mode. */
const N = (full: number) => (QUICK ? Math.max(5, Math.round(full / 10)) : full);
const figures: Figure[] = [];

function argSeconds(): number {
  const i = process.argv.indexOf("--seconds");
  const fallback = QUICK ? 2 : 10;
  const n = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/** The bare ipmitool process the driver's process-per-call mode stands for. */
function bareIpmitool(sim: IpmiSim, words: string[]): Promise<void> {
  const s = sim.settings();
  const args = [
    "-I",
    "lanplus",
    "-H",
    s.addr,
    "-p",
    String(s.port),
    "-U",
    s.account,
    "-E",
    "-C",
    String(s.cipher),
  ];
  return new Promise((resolve, reject) => {
    execFile(
      "ipmitool",
      [...args, "-L", "OPERATOR", ...words],
      {
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C", IPMI_PASSWORD: s.password },
        timeout: 10_000,
      },
      (error) => (error ? reject(error) : resolve()),
    );
  });
}

function stats(samples: number[]): string {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? Number.NaN;
  return `median ${at(0.5).toFixed(2)} ms  p99 ${at(0.99).toFixed(2)} ms  (n=${s.length})`;
}

async function timed(n: number, f: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await f();
    out.push(performance.now() - t0);
  }
  return out;
}

/** CPU ticks of reaped children of this process (cutime + cstime). */
async function reapedChildrenTicks(): Promise<number> {
  const stat = await readFile("/proc/self/stat", "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(f[13]) + Number(f[14]);
}

function ownCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function sessionFor(sim: IpmiSim): IpmitoolSession {
  const s = sim.settings();
  return new IpmitoolSession({
    file: "ipmitool",
    args: [
      "-I",
      "lanplus",
      "-H",
      s.addr,
      "-p",
      String(s.port),
      "-U",
      s.account,
      "-E",
      "-C",
      String(s.cipher),
      "-L",
      "OPERATOR",
      "-N",
      "1",
      "-R",
      "2",
      "-v",
    ],
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C", IPMI_PASSWORD: s.password },
    idleMs: 60_000,
  });
}

async function expectOk(
  p: Promise<{ stdout: string; exitCode: number | undefined; killed: unknown }>,
  re: RegExp,
) {
  const r = await p;
  if (r.killed !== undefined || !re.test(r.stdout))
    throw new Error(`unexpected answer: ${JSON.stringify(r)}`);
}

async function latency(sim: IpmiSim): Promise<void> {
  const bmc = new IpmitoolController(sim.settings());
  const session = sessionFor(sim);
  try {
    await bmc.status();
    await expectOk(session.run("status", 10_000), /Chassis Power is/);
    console.log("latency against one ipmi_sim (cipher 3), sequential calls:");
    const bareStatus = await timed(N(100), () => bareIpmitool(sim, ["chassis", "power", "status"]));
    console.log(`  status  bare ipmitool     ${stats(bareStatus)}`);
    const status = await timed(N(100), () => bmc.status());
    console.log(`  status  process per call  ${stats(status)}`);
    const statusSession = await timed(N(300), () =>
      expectOk(session.run("status", 10_000), /Chassis Power is/),
    );
    console.log(`  status  shell session     ${stats(statusSession)}`);
    const bareReset = await timed(N(50), () => bareIpmitool(sim, ["chassis", "power", "reset"]));
    console.log(`  reset   bare ipmitool     ${stats(bareReset)}`);
    const reset = await timed(N(50), () => bmc.reset());
    console.log(`  reset   process per call  ${stats(reset)}`);
    const resetSession = await timed(N(50), () => expectOk(session.run("reset", 10_000), /Control: Reset/));
    console.log(`  reset   shell session     ${stats(resetSession)}`);
    const bare = (what: string, samples: number[]) => ({ peer: peer(`bare ipmitool ${what}`, samples) });
    figures.push(
      figure("bmc: status, driver, process per call", "ms", status, bare("chassis power status", bareStatus)),
      figure(
        "bmc: status, driver, ipmitool shell session",
        "ms",
        statusSession,
        bare("chassis power status", bareStatus),
      ),
      figure("bmc: reset, driver, process per call", "ms", reset, bare("chassis power reset", bareReset)),
      figure(
        "bmc: reset, driver, ipmitool shell session",
        "ms",
        resetSession,
        bare("chassis power reset", bareReset),
      ),
    );
  } finally {
    await session.close();
  }
}

async function pollWindow(seconds: number, pollOnce: () => Promise<void>): Promise<number> {
  let polls = 0;
  const end = performance.now() + seconds * 1000;
  for (let next = performance.now(); next < end; next += 1000) {
    await pollOnce();
    polls++;
    const wait = next + 1000 - performance.now();
    if (wait > 0) await sleep(wait);
  }
  return polls;
}

async function cpuPerProcess(sims: IpmiSim[], seconds: number): Promise<void> {
  const bmcs = sims.map((sim) => new IpmitoolController(sim.settings()));
  await Promise.all(bmcs.map((b) => b.status()));
  const children0 = await reapedChildrenTicks();
  const own0 = ownCpuMs();
  const rounds = await pollWindow(seconds, async () => {
    await Promise.all(bmcs.map((b) => b.status()));
  });
  const childMs = ((await reapedChildrenTicks()) - children0) * TICK_MS;
  const ownMs = ownCpuMs() - own0;
  report("process per call", rounds, seconds, childMs, ownMs);
}

async function cpuSession(sims: IpmiSim[], seconds: number): Promise<void> {
  const bmcs = sims.map((sim) => new IpmitoolController(sim.settings(), { session: { idleMs: 60_000 } }));
  try {
    await Promise.all(bmcs.map((b) => b.status()));
    const pids = await ipmitoolPids(sims);
    const ticks0 = await Promise.all(pids.map((p) => ipmiSimProcessCpuTicks(p)));
    const own0 = ownCpuMs();
    const rounds = await pollWindow(seconds, async () => {
      await Promise.all(bmcs.map((b) => b.status()));
    });
    const ticks1 = await Promise.all(pids.map((p) => ipmiSimProcessCpuTicks(p)));
    const ownMs = ownCpuMs() - own0;
    const childMs = ticks1.reduce((sum, t, i) => sum + t - (ticks0[i] ?? 0), 0) * TICK_MS;
    report(`shell session (${pids.length} ipmitool processes)`, rounds, seconds, childMs, ownMs);
  } finally {
    await Promise.all(bmcs.map((b) => b.close()));
  }
}

async function ipmitoolPids(sims: IpmiSim[]): Promise<number[]> {
  const found = await Promise.all(sims.map((s) => ipmiSimFindIpmitool(s.port)));
  return found.flat().map((p) => p.pid);
}

function report(mode: string, rounds: number, seconds: number, childMs: number, ownMs: number): void {
  const total = childMs + ownMs;
  figures.push(
    figure(`bmc: CPU of polling ${BMCS} BMCs once a second, ${mode.replace(/ \(.*\)$/, "")}`, "% of a core", [
      (total / (seconds * 1000)) * 100,
    ]),
  );
  console.log(
    `  ${mode}: ${rounds} rounds x ${BMCS} BMCs in ${seconds} s — ipmitool ${childMs.toFixed(0)} ms CPU, node ${ownMs.toFixed(0)} ms CPU, ` +
      `total ${total.toFixed(0)} ms = ${((total / (seconds * 1000)) * 100).toFixed(1)} % of one core, ${(total / (rounds * BMCS)).toFixed(2)} ms CPU per status`,
  );
}

async function main(): Promise<void> {
  const seconds = argSeconds();
  const one = await IpmiSim.start();
  try {
    await latency(one);
  } finally {
    await one.stop();
  }
  const sims: IpmiSim[] = [];
  try {
    for (let i = 0; i < BMCS; i++) sims.push(await IpmiSim.start());
    console.log(`CPU of polling ${BMCS} BMCs once a second for ${seconds} s:`);
    await cpuPerProcess(sims, seconds);
    await cpuSession(sims, seconds);
  } finally {
    await Promise.all(sims.map((s) => s.stop()));
  }
  writeBenchJson({ bench: "bmc", figures });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
