// End to end (issue 5): the built haconnd, configured with the real haconnsetup, resets systems
// whose BMCs are OpenIPMI ipmi_sim instances (with the NMI module) through real ipmitool; HA
// monitors and the dump notice come from tools/lab's hamon-sim on loopback (127.0.97.x).
//   pnpm --filter @haconn/bench build && node tools/bench/dist/e2e.bench.js [--runs N] [--quick] [--json f]
// Two cases, alternated, each against the bare ipmitool calls on its critical path, run in the
// same session with the same argv and environment as the bmc driver builds:
//  * failure with dump: RESET → NMI (ipmitool chassis power diag) → DUMP notice → result DUMP.
//    The dump tool's reaction time (from the daemon's `SOFTRESET … RECV` log line to the DUMP
//    notice being sent) is the target's, not ours: subtracted. Peer: one bare `diag`.
//  * failure without dump: RESET → NMI → hispeed wait (1000 ms) → hardware reset (chassis power
//    reset) → result DUMP (ATTENTION REBOOT). The configured hispeed wait is not overhead:
//    subtracted. The NMI call runs inside that wait, so it is off the critical path both for
//    haconnd and for a script doing the same; peer: one bare `reset`.
// Ratio = connector time / bare time per run; goal: median ratio ≤ 1.1.

import { readFileSync, statSync } from "node:fs";
import { loadavg } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { join } from "node:path";
import { parseKeyFile } from "@haconn/protocol";
import { HamonSimMonitor, hamonSimRegisterKey } from "../../lab/src/hamon-sim/index.js";
import { IpmiSim } from "../../lab/src/ipmi-sim/index.js";
import { bareIpmitool, BUILT, E2eDirs, logTime, startHaconnd, waitLogLine } from "./e2e-harness.js";
import { printTable } from "./engine-table.js";
import { type Figure, figure, peer, quickArg, type Timeline, writeBenchJson } from "./report-json.js";

const RP_ADDR = "127.0.97.1";
const HISPEED_MS = 1000;
const TARGETS = 6;
const GUARD_MS = 5200;
const PW = "haconn-sim-pw1";

const epochNow = () => performance.timeOrigin + performance.now();

interface Target {
  system: string;
  subsystem: number;
  sim: IpmiSim;
  monitor: HamonSimMonitor;
  freeAt: number;
}

interface CaseSamples {
  connector: number[];
  bare: number[];
  ratio: number[];
  raw: number[];
  /** The ipmitool call as haconnd ran it: reset-log SEND → RECV of that step. */
  inDaemon: number[];
}

const emptySamples = (): CaseSamples => ({ connector: [], bare: [], ratio: [], raw: [], inDaemon: [] });

function runsArg(): number {
  const i = process.argv.indexOf("--runs");
  const n = i >= 0 ? Number(process.argv[i + 1]) : quickArg() ? 6 : 20;
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 20;
}

async function freePort(addr: string): Promise<number> {
  const { createSocket } = await import("node:dgram");
  const s = createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, addr, () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function nextTarget(targets: Target[]): Promise<Target> {
  for (;;) {
    const now = performance.now();
    const t = targets.filter((x) => x.freeAt <= now).sort((a, b) => a.freeAt - b.freeAt)[0];
    if (t) {
      const reply = await t.monitor.check();
      if (reply?.status === "normal") return t;
      t.freeAt = now + 300;
    }
    await sleep(50);
  }
}

async function main(): Promise<void> {
  if (!BUILT) {
    console.log("e2e bench: skipped, build apps/haconnd and apps/cli first");
    writeBenchJson({ bench: "e2e", figures: [], skipped: "haconnd / haconnsetup not built" });
    return;
  }
  const runs = runsArg();
  const dirs = new E2eDirs();
  const sims: IpmiSim[] = [];
  const monitors: HamonSimMonitor[] = [];
  let daemon: Awaited<ReturnType<typeof startHaconnd>> | undefined;
  try {
    for (let i = 0; i <= TARGETS; i++) sims.push(await IpmiSim.start({ nmi: true }));
    const port = await freePort(RP_ADDR);
    dirs.cli("haconnsetup", ["resetpath", `addr=${RP_ADDR}/8`, `port=${port}`]);
    // Key mode, as deployed: the monitors sign with the resetpath.key haconnsetup created.
    const keyFile = join(dirs.env.HACONN_ETC_DIR!, "resetpath.key");
    hamonSimRegisterKey({ address: RP_ADDR, port }, parseKeyFile(readFileSync(keyFile, "utf8")));
    for (const [i, sim] of sims.entries()) {
      const args = ["pserver", "add", `E2E${i}`, `addr=${sim.addr}:${sim.port}`, "account=admin", "cipher=3"];
      dirs.cli("haconnsetup", args, PW);
    }
    dirs.cli("haconnsetup", ["hispeed", `resettime=${HISPEED_MS}`]);
    daemon = await startHaconnd(dirs);
    const connector = { address: RP_ADDR, port };
    // One cluster: every monitor on the same HA-monitor port, each on its own address.
    const requester = await HamonSimMonitor.start({
      subsystem: 4000,
      systemName: "E2E0",
      connector,
      checkIntervalMs: 0,
      bind: { address: "127.0.97.10", port: 0 },
    });
    monitors.push(requester);
    const targets: Target[] = [];
    for (let i = 1; i <= TARGETS; i++) {
      const monitor = await HamonSimMonitor.start({
        subsystem: 4000 + i,
        systemName: `E2E${i}`,
        connector,
        checkIntervalMs: 0,
        bind: { address: `127.0.97.${10 + i}`, port: requester.replyPort },
      });
      monitors.push(monitor);
      targets.push({ system: `E2E${i}`, subsystem: 4000 + i, sim: sims[i]!, monitor, freeAt: 0 });
    }
    if (!(await requester.check())) throw new Error("the requester was not registered");

    const dump = emptySamples();
    const noDump = emptySamples();
    const timelines: Timeline[] = [];
    const failures: string[] = [];
    console.log(`e2e bench: haconnd + ipmi_sim (NMI module) + real ipmitool, ${runs} runs per case`);
    for (let run = 0; run < 2 * runs; run++) {
      const withDump = run % 2 === 0;
      const t = await nextTarget(targets);
      const offset = statSync(dirs.resetlog, { throwIfNoEntry: false })?.size ?? 0;
      const sentAt = epochNow();
      const outcome = requester.reset(
        { subsystem: t.subsystem, systemName: t.system },
        { resultTimeoutMs: 20_000 },
      );
      const phases: Record<string, number> = { reset_sent: 0 };
      let connectorMs: number;
      try {
        if (withDump) {
          const soft = await waitLogLine(
            dirs.resetlog,
            offset,
            new RegExp(` SOFTRESET ${t.system} ${t.subsystem} RECV `),
            10_000,
          );
          const softAt = logTime(soft);
          const dumpAt = epochNow();
          await t.monitor.channel.send(connector, {
            type: "dump-notice",
            header: { requestId: 90_000 + run, senderId: t.subsystem, timestampMs: Date.now(), attempt: 0 },
            body: { clusterPort: requester.replyPort, systemName: t.system },
          });
          const r = await outcome;
          const doneAt = epochNow();
          if (r.result?.result !== "DUMP") throw new Error(`result ${r.result?.result ?? "none"}`);
          connectorMs = doneAt - sentAt - (dumpAt - softAt);
          const text = readFileSync(dirs.resetlog).subarray(offset).toString("utf8");
          const softSend = logTime(text.split("\n").find((l) => / SOFTRESET \S+ \d+ SEND /.test(l)) ?? "");
          Object.assign(phases, {
            soft_send: softSend - sentAt,
            soft_recv: softAt - sentAt,
            dump_sent: dumpAt - sentAt,
            result: doneAt - sentAt,
          });
          dump.raw.push(doneAt - sentAt);
          dump.inDaemon.push(softAt - softSend);
        } else {
          const r = await outcome;
          const doneAt = epochNow();
          if (r.result?.result !== "DUMP") throw new Error(`result ${r.result?.result ?? "none"}`);
          // The daemon writes its reset-log lines just after the step's datagrams (deferred).
          await waitLogLine(
            dirs.resetlog,
            offset,
            new RegExp(` HARDRESET ${t.system} ${t.subsystem} RECV `),
            2000,
          );
          const text = readFileSync(dirs.resetlog).subarray(offset).toString("utf8");
          const at = (re: RegExp) => logTime(text.split("\n").find((l) => re.test(l)) ?? "") - sentAt;
          Object.assign(phases, {
            soft_send: at(new RegExp(` SOFTRESET ${t.system} ${t.subsystem} SEND `)),
            soft_recv: at(new RegExp(` SOFTRESET ${t.system} ${t.subsystem} RECV `)),
            hard_send: at(new RegExp(` HARDRESET ${t.system} ${t.subsystem} SEND `)),
            hard_recv: at(new RegExp(` HARDRESET ${t.system} ${t.subsystem} RECV `)),
            result: doneAt - sentAt,
          });
          connectorMs = doneAt - sentAt - HISPEED_MS;
          noDump.raw.push(doneAt - sentAt);
          noDump.inDaemon.push((phases.hard_recv ?? Number.NaN) - (phases.hard_send ?? Number.NaN));
        }
      } catch (error) {
        failures.push(`${t.system} ${withDump ? "dump" : "no dump"}: ${String(error)}`);
        t.freeAt = performance.now() + GUARD_MS;
        continue;
      }
      t.freeAt = performance.now() + GUARD_MS;
      await sleep(100); // let the daemon's post-reset work settle before the bare call
      const bareMs = await bareIpmitool(t.sim.settings(), withDump ? "nmi" : "reset");
      const into = withDump ? dump : noDump;
      into.connector.push(connectorMs);
      into.bare.push(bareMs);
      into.ratio.push(connectorMs / bareMs);
      timelines.push({
        run: run + 1,
        label: withDump ? "e2e failure with dump" : "e2e failure without dump",
        phases,
      });
    }

    const ratioFigure = (name: string, s: CaseSamples): Figure => {
      const f = figure(name, "ratio", s.ratio, { goal: "median ≤ 1.1" });
      return { ...f, pass: s.ratio.length > 0 && f.median <= 1.1 };
    };
    const figures: Figure[] = [
      figure("RESET → result, failure with dump (minus the dump tool's reaction)", "ms", dump.connector, {
        peer: peer("bare ipmitool chassis power diag", dump.bare),
      }),
      ratioFigure("ratio with dump: connector / bare diag", dump),
      figure(
        `RESET → result, failure without dump (minus hispeed ${HISPEED_MS} ms)`,
        "ms",
        noDump.connector,
        {
          peer: peer("bare ipmitool chassis power reset", noDump.bare),
        },
      ),
      ratioFigure("ratio without dump: connector / bare reset", noDump),
      figure("ipmitool diag as run by haconnd (SOFTRESET SEND → RECV)", "ms", dump.inDaemon),
      figure("ipmitool reset as run by haconnd (HARDRESET SEND → RECV)", "ms", noDump.inDaemon),
      figure("RESET → result as the requester sees it, with dump (incl. the dump tool)", "ms", dump.raw),
      figure("RESET → result as the requester sees it, without dump (incl. hispeed)", "ms", noDump.raw),
    ];
    printTable(figures);
    console.log(
      `load average at the end ${loadavg()[0]!.toFixed(2)} (2 cores shared with whatever else runs): ` +
        "the bare calls show how slow ipmitool itself was meanwhile",
    );
    if (failures.length > 0) console.log(`failures (${failures.length}): ${failures.slice(0, 5).join("; ")}`);
    writeBenchJson({ bench: "e2e", figures, timelines });
  } finally {
    for (const m of monitors) await m.stop();
    await daemon?.stop();
    await Promise.all(sims.map((s) => s.stop()));
    dirs.remove();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
