// IBM_PDU driver benchmark against the lab's SNMP simulator on loopback.
//   pnpm --filter @haconn/bench build && node tools/bench/dist/ipdu.bench.js [--seconds N] [--quick] [--json <file>]
// Prints: median/p99 of one outlet-state read and one outlet set (with and without read-back),
// raw `snmpget`/`snmpset` processes for comparison, a server cut across two PDUs, and the CPU
// cost of polling 132 PDUs once a second (the simulators run in a child process so their CPU
// is not counted as the driver's). The community travels by IPC/env, never on an argv of ours
// (the raw snmpset comparison necessarily puts it on snmpset's own command line). Peer figures:
// raw snmpset processes for one outlet set and for the same server cut (one snmpset per PDU
// with both outlets, the two PDUs in parallel, off then on).
import { execFile, fork } from "node:child_process";
import { once } from "node:events";
import { PduClient, ServerOutletsController } from "@haconn/ipdu";
import { PduSim } from "../../lab/src/pdu-sim/index.js";
import { type Figure, figure, peer, quickArg, writeBenchJson } from "./report-json.js";

const COMMUNITY = process.env.BENCH_PDU_COMMUNITY ?? "benchRw1";
const ENT = "1.3.6.1.4.1.2.6.223";
const PDUS = 132;
const QUICK = quickArg();
/** Sample counts scale down in --quick mode. */
const N = (full: number) => (QUICK ? Math.max(10, Math.round(full / 10)) : full);
const figures: Figure[] = [];

function stats(samples: number[]): string {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
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

function tool(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 10_000 }, (error) => (error ? reject(error) : resolve()));
  });
}

/** Child mode: serve `count` simulators, report their ports over IPC, exit when told. */
async function serveSims(count: number): Promise<void> {
  const sims: PduSim[] = [];
  for (let i = 0; i < count; i++) sims.push(await PduSim.start({ community: COMMUNITY, variant: "col13" }));
  process.send?.({ ports: sims.map((s) => s.port) });
  process.on("message", async (m: { cpu?: boolean; stop?: boolean }) => {
    if (m.cpu)
      process.send?.({ cpu: process.cpuUsage(), received: sims.reduce((a, s) => a + s.received, 0) });
    if (m.stop) {
      await Promise.all(sims.map((s) => s.stop()));
      process.disconnect?.();
    }
  });
}

async function latency(): Promise<void> {
  const sim = await PduSim.start({ community: COMMUNITY, variant: "col13" });
  const sim2 = await PduSim.start({ community: COMMUNITY, variant: "col11" });
  const c = new PduClient({ addr: sim.address, port: sim.port, community: COMMUNITY });
  const c2 = new PduClient({ addr: sim2.address, port: sim2.port, community: COMMUNITY });
  try {
    await c.detect();
    await c2.detect();
    await timed(50, () => c.outletState(1)); // warm-up
    const state = await timed(N(1000), () => c.outletState(1));
    console.log(`outletState(1)              ${stats(state)}`);
    console.log(`outletStates() 12 outlets   ${stats(await timed(N(500), () => c.outletStates()))}`);
    const flip = (i: number) => (i % 2 === 0 ? "off" : "on");
    const setNoVerify = await timed(N(500), (i) => c.setOutlet(2, flip(i), { verify: false }));
    console.log(`setOutlet, no read-back     ${stats(setNoVerify)}`);
    const setVerify = await timed(N(500), (i) => c.setOutlet(2, flip(i)));
    console.log(`setOutlet + read-back       ${stats(setVerify)}`);
    const fresh = await timed(N(50), async () => {
      const once = new PduClient({ addr: sim.address, port: sim.port, community: COMMUNITY });
      await once.outletState(1); // new session: detection (1 GET) + state (1 GET)
      await once.close();
    });
    console.log(`new client + detect + state ${stats(fresh)}`);
    const args = ["-v2c", "-c", COMMUNITY, "-m", "", "-On", "-t", "1", "-r", "0", sim.target];
    const rawGet = await timed(N(100), () => tool("snmpget", [...args, `${ENT}.8.2.2.1.13.1`]));
    console.log(`raw snmpget process         ${stats(rawGet)}`);
    const rawSet = await timed(N(100), (i) =>
      tool("snmpset", [...args, `${ENT}.8.2.2.1.13.3`, "i", String(i % 2)]),
    );
    console.log(`raw snmpset process         ${stats(rawSet)}`);
    const args2 = ["-v2c", "-c", COMMUNITY, "-m", "", "-On", "-t", "1", "-r", "0", sim2.target];
    const rawCutOnce = async (value: string) => {
      const set = (a: string[], col: number) =>
        tool("snmpset", [...a, `${ENT}.8.2.2.1.${col}.5`, "i", value, `${ENT}.8.2.2.1.${col}.6`, "i", value]);
      await Promise.all([set(args, 13), set(args2, 11)]);
    };
    const rawCut = await timed(N(100), async () => {
      await rawCutOnce("0");
      await rawCutOnce("1");
    });
    console.log(`raw snmpset cut+restore 4 outlets/2 PDUs ${stats(rawCut)}`);
    const links = [
      { pdu: c.key, outlet: 5 },
      { pdu: c.key, outlet: 6 },
      { pdu: c2.key, outlet: 5 },
      { pdu: c2.key, outlet: 6 },
    ];
    const ctl = new ServerOutletsController(
      links,
      new Map([
        [c.key, c],
        [c2.key, c2],
      ]),
    );
    console.log(`controller status() 4 outl. ${stats(await timed(N(500), () => ctl.status()))}`);
    const cut = await timed(N(200), async () => {
      await ctl.off();
      await ctl.on();
    });
    console.log(`cut+restore 4 outlets/2 PDUs ${stats(cut)}`);
    figures.push(
      figure("ipdu: outlet state read, driver", "ms", state, { peer: peer("raw snmpget process", rawGet) }),
      figure("ipdu: outlet set, driver, no read-back", "ms", setNoVerify, {
        peer: peer("raw snmpset process", rawSet),
      }),
      figure("ipdu: outlet set + read-back, driver", "ms", setVerify, {
        peer: peer("raw snmpset process", rawSet),
      }),
      figure("ipdu: server cut + restore, 4 outlets on 2 PDUs, driver (verified)", "ms", cut, {
        peer: peer("raw snmpset, one per PDU, in parallel (not verified)", rawCut),
      }),
    );
    console.log(`(simulators received ${sim.received + sim2.received} datagrams in this part)`);
  } finally {
    await Promise.all([c.close(), c2.close(), sim.stop(), sim2.stop()]);
  }
}

async function polling(seconds: number, mode: "states" | "one"): Promise<void> {
  const child = fork(process.argv[1]!, ["--serve-sims", String(PDUS)], {
    env: { ...process.env, BENCH_PDU_COMMUNITY: COMMUNITY },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const [ready] = (await once(child, "message")) as [{ ports: number[] }];
  const clients = ready.ports.map((port) => new PduClient({ addr: "127.0.0.1", port, community: COMMUNITY }));
  const ask = async (): Promise<{ cpu: NodeJS.CpuUsage; received: number }> => {
    child.send({ cpu: true });
    const [m] = (await once(child, "message")) as [{ cpu: NodeJS.CpuUsage; received: number }];
    return m;
  };
  try {
    await Promise.all(clients.map((c) => c.outletStates())); // detection + outlet count, not measured
    const poll = () =>
      Promise.all(clients.map((c) => (mode === "states" ? c.outletStates() : c.outletState(1))));
    const rounds: number[] = [];
    let failures = 0;
    const childBefore = await ask();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let s = 0; s < seconds; s++) {
      const start = performance.now();
      await poll().catch(() => {
        failures++;
      });
      rounds.push(performance.now() - start);
      const next = t0 + (s + 1) * 1000;
      await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
    }
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const childAfter = await ask();
    const ms = (cpu.user + cpu.system) / 1000;
    const childMs =
      (childAfter.cpu.user + childAfter.cpu.system - childBefore.cpu.user - childBefore.cpu.system) / 1000;
    const what =
      mode === "states" ? "one GET of 12 state varbinds per PDU" : "one GET of 1 outlet state per PDU";
    figures.push(
      figure(`ipdu: CPU of polling ${PDUS} PDUs once a second, ${what}`, "% of a core", [(ms / wall) * 100]),
    );
    console.log(
      `poll ${PDUS} PDUs/s, ${what}: driver CPU ${(ms / (wall / 1000)).toFixed(1)} ms/s ` +
        `(${((ms / wall) * 100).toFixed(2)} % of a core) over ${(wall / 1000).toFixed(1)} s; ` +
        `round ${stats(rounds)}; failed rounds ${failures}; ` +
        `simulators' CPU ${(childMs / (wall / 1000)).toFixed(1)} ms/s, ${childAfter.received - childBefore.received} requests`,
    );
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    child.send({ stop: true });
    await once(child, "exit");
  }
}

async function main(): Promise<void> {
  const serve = process.argv.indexOf("--serve-sims");
  if (serve >= 0) return serveSims(Number(process.argv[serve + 1]));
  const secArg = process.argv.indexOf("--seconds");
  const seconds = secArg >= 0 ? Number(process.argv[secArg + 1]) : QUICK ? 2 : 10;
  console.log(`ipdu bench (Node ${process.version}, net-snmp agent simulator on 127.0.0.1)`);
  await latency();
  await polling(seconds, "states");
  await polling(seconds, "one");
  writeBenchJson({ bench: "ipdu", figures });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
