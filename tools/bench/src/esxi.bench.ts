// ESXi driver benchmark against the lab's ESXi simulator (ssh2) on loopback.
//   pnpm --filter @haconn/bench build && node tools/bench/dist/esxi.bench.js [--seconds N] [--quick] [--json <file>]
//   … esxi.bench.js --main-thread [--seconds N]: the main thread's cost in-thread vs in the
//   daemon's ESXi worker thread instead (esxi-thread.ts).
// Prints: median/p99 of connect (handshake + auth), status, reset and NMI on one kept-open
// connection; then the CPU cost of polling 16 ESXi hosts × 4 guests once a second. The
// simulators of the polling run live in a child process so their CPU is not counted as the
// driver's; the password reaches the child over IPC, never on an argv.
import { fork } from "node:child_process";
import { once } from "node:events";
import { EsxiGuestController, EsxiHost, MemoryHostKeyStore } from "@haconn/esxi";
import { EsxiSim } from "../../lab/src/esxi-sim/index.js";
import { mainThreadCost } from "./esxi-thread.js";
import { type Figure, figure, quickArg, writeBenchJson } from "./report-json.js";

const PASSWORD = "bench-Passw0rd";
const HOSTS = 16;
const GUESTS_PER_HOST = 4;
const QUICK = quickArg();
/** Sample counts scale down in --quick mode. */
const N = (full: number) => (QUICK ? Math.max(5, Math.round(full / 10)) : full);
const figures: Figure[] = [];
const guestSpecs = Array.from({ length: GUESTS_PER_HOST }, (_, i) => ({
  name: `guest${i + 1}`,
  power: "on" as const,
}));

function stats(samples: number[]): string {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number): number =>
    s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? Number.NaN;
  return `median ${at(0.5).toFixed(2)} ms  p99 ${at(0.99).toFixed(2)} ms  (n=${s.length})`;
}

async function timed(n: number, f: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await f(i);
    out.push(performance.now() - t0);
  }
  return out;
}

function hostFor(port: number, fingerprint: string): EsxiHost {
  return new EsxiHost({
    addr: "127.0.0.1",
    port,
    username: "root",
    password: PASSWORD,
    hostKey: fingerprint,
    hostKeyStore: new MemoryHostKeyStore(),
  });
}

/** Child mode: serve `count` simulators, report ports and fingerprints over IPC. */
async function serveSims(count: number, password: string, guests = GUESTS_PER_HOST): Promise<void> {
  const specs = Array.from({ length: guests }, (_, i) => ({ name: `guest${i + 1}`, power: "on" as const }));
  const sims = await Promise.all(
    Array.from({ length: count }, () => EsxiSim.start({ guests: specs, password })),
  );
  const before = process.cpuUsage();
  process.send?.({ sims: sims.map((s) => ({ port: s.port, fingerprint: s.fingerprint })) });
  process.on("message", async (m: { stop?: boolean }) => {
    if (!m.stop) return;
    const cpu = process.cpuUsage(before);
    process.send?.({
      cpuMs: (cpu.user + cpu.system) / 1000,
      commands: sims.reduce((n, s) => n + s.commands.length, 0),
    });
    await Promise.all(sims.map((s) => s.stop()));
    process.disconnect();
  });
}

async function latency(): Promise<void> {
  const sim = await EsxiSim.start({ guests: guestSpecs, password: PASSWORD });
  try {
    const connects = await timed(N(20), async () => {
      const h = hostFor(sim.port, sim.fingerprint);
      await h.connect();
      await h.close();
    });
    console.log(`connect (tcp + kex + auth):   ${stats(connects)}`);
    const host = hostFor(sim.port, sim.fingerprint);
    const g = new EsxiGuestController({ host, vmName: "guest2" });
    await g.status();
    const status = await timed(N(300), () => g.status());
    console.log(`status (power.getstate):      ${stats(status)}`);
    const reset = await timed(N(300), () => g.reset());
    console.log(`reset (power.reset):          ${stats(reset)}`);
    const nmi = await timed(N(300), () => g.nmi());
    console.log(`nmi (vmdumper -l + nmi):      ${stats(nmi)}`);
    figures.push(
      figure("esxi: connect (tcp + kex + auth)", "ms", connects),
      figure("esxi: guest status, kept-open connection", "ms", status),
      figure("esxi: guest reset", "ms", reset),
      figure("esxi: guest NMI (vmdumper)", "ms", nmi),
    );
    const cold = await timed(N(50), async () => {
      g.forget();
      await g.status();
    });
    console.log(`status, vmid not cached:      ${stats(cold)}`);
    await host.close();
  } finally {
    await sim.stop();
  }
}

async function polling(seconds: number): Promise<void> {
  const child = fork(process.argv[1] ?? "", ["--serve", String(HOSTS)], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  child.send({ password: PASSWORD });
  const [ready] = (await once(child, "message")) as [{ sims: { port: number; fingerprint: string }[] }];
  const hosts = ready.sims.map((s) => hostFor(s.port, s.fingerprint));
  const guests = hosts.flatMap((h) =>
    guestSpecs.map((s) => new EsxiGuestController({ host: h, vmName: s.name })),
  );
  await Promise.all(guests.map((g) => g.status())); // connect and cache vmids
  const rounds: number[] = [];
  let failures = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < seconds; i++) {
    const start = performance.now();
    const results = await Promise.allSettled(guests.map((g) => g.status()));
    failures += results.filter((r) => r.status === "rejected").length;
    rounds.push(performance.now() - start);
    const next = t0 + (i + 1) * 1000;
    await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
  }
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  child.send({ stop: true });
  const [simCpu] = (await once(child, "message")) as [{ cpuMs: number; commands: number }];
  await Promise.all(hosts.map((h) => h.close()));
  const calls = guests.length * seconds;
  console.log(
    `polling ${HOSTS} hosts × ${GUESTS_PER_HOST} guests once a second for ${seconds} s (${calls} status calls, ${failures} failed):`,
  );
  figures.push(
    figure(`esxi: CPU of polling ${HOSTS} hosts × ${GUESTS_PER_HOST} guests once a second`, "% of a core", [
      (100 * cpuMs) / wall,
    ]),
  );
  console.log(
    `  driver CPU ${cpuMs.toFixed(0)} ms in ${(wall / 1000).toFixed(1)} s wall = ${((100 * cpuMs) / wall).toFixed(2)} % of one core`,
  );
  console.log(
    `  per status call ${(cpuMs / calls).toFixed(3)} ms CPU; per poll round ${(cpuMs / seconds).toFixed(1)} ms CPU`,
  );
  console.log(`  poll round wall: ${stats(rounds)}`);
  console.log(
    `  (simulators, other process: ${simCpu.cpuMs.toFixed(0)} ms CPU for ${simCpu.commands} commands)`,
  );
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === "--serve") {
    const [m] = (await once(process, "message")) as [{ password: string }];
    await serveSims(Number(args[1]), m.password, args[2] ? Number(args[2]) : undefined);
    return;
  }
  const i = args.indexOf("--seconds");
  const seconds = i >= 0 ? Number(args[i + 1]) : QUICK ? 2 : 10;
  if (args.includes("--main-thread")) {
    const figures = await mainThreadCost(process.argv[1] ?? "", PASSWORD, seconds);
    writeBenchJson({ bench: "esxi-thread", figures });
    return;
  }
  console.log(`esxi driver benchmark, node ${process.version}, ssh2 simulator on 127.0.0.1`);
  await latency();
  await polling(seconds);
  writeBenchJson({ bench: "esxi", figures });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
