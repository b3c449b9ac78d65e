// Load: 256 HA monitors sending CHECK every second and 32 simultaneous RESETs against one real
// haconnd. All must be answered; the connector's drop counters (dumpState) must stay at zero; the
// p99 latencies are reported. BMCs: 32 real ipmi_sim processes — haconnd drives BMCs only
// through ipmitool, so no faster fake can stand in, and 32 is the manual's server limit. So the
// requester's server plus 31 targets: 31 RESETs of distinct servers plus a 32nd request (another
// request id) for the first target, which the connector attaches to the running job. The other
// 224 monitors register systems the connector does not know (answered with the unknown-system
// blocker): the CHECK path is the same.
// CI: 20 s of CHECK load, alone on the machine (project lab-alone, vitest.config.ts). Longer:
// HACONN_LOAD_SECONDS=300 pnpm exec vitest run --project lab-alone

import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { controlRequest, type DumpState, totalDrops } from "../faults/control.js";
import { checkLogs } from "../faults/logcheck.js";
import { percentile, recordFault } from "../faults/report.js";
import { AnswerLog, distinctResults } from "../faults/requester.js";
import { SingleNode } from "../faults/single-node.js";
import { HamonSimMonitor } from "../hamon-sim/index.js";
import { BUILT, freeUdpPort } from "./harness.js";

const SECONDS = Number(process.env.HACONN_LOAD_SECONDS ?? 20);
const MONITORS = 256;
const RESETS = 32;
const TARGETS = Array.from({ length: RESETS - 1 }, (_, i) => `LSERVER${i + 1}`);
const REQUESTER = "LSERVER0";

function udpErrors(): { rcvbuf: number; inErrors: number } {
  const lines = readFileSync("/proc/net/snmp", "utf8")
    .split("\n")
    .filter((l) => l.startsWith("Udp:"));
  const head = lines[0]!.split(/\s+/);
  const vals = lines[1]!.split(/\s+/).map(Number);
  return { rcvbuf: vals[head.indexOf("RcvbufErrors")]!, inErrors: vals[head.indexOf("InErrors")]! };
}

/** Kernel receive drops of the UDP sockets bound to `port` on 127.0.94.x (from /proc/net/udp). */
function socketDrops(ports: Set<number>): number {
  let sum = 0;
  for (const line of readFileSync("/proc/net/udp", "utf8").split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 13) continue;
    const [addrHex, portHex] = f[1]!.split(":");
    // 127.0.94.x in /proc is little-endian hex: xx5E007F
    if (!addrHex!.endsWith("5E007F") || !ports.has(Number.parseInt(portHex!, 16))) continue;
    sum += Number(f[f.length - 1]);
  }
  return sum;
}

describe.skipIf(!BUILT)(
  `load: ${MONITORS} monitors CHECK every second, ${RESETS} simultaneous RESETs`,
  () => {
    let node: SingleNode;
    const monitors: HamonSimMonitor[] = [];

    beforeAll(async () => {
      node = await SingleNode.start({
        prefix: "fload",
        address: "127.0.94.1",
        pservers: [REQUESTER, ...TARGETS].map((name) => ({ name })),
        hispeedMs: 1000,
      });
      const clusterPort = await freeUdpPort("127.0.94.10");
      for (let i = 0; i < MONITORS; i++) {
        // 128 addresses x 2 reset-path ports (two clusters); the first 33 are the real systems.
        const known = i <= TARGETS.length;
        monitors.push(
          await HamonSimMonitor.start({
            subsystem: 20000 + i,
            systemName: known ? (i === 0 ? REQUESTER : TARGETS[i - 1]!) : `UNREG${i}`,
            connector: node.connector,
            checkIntervalMs: 0,
            bind: { address: `127.0.94.${10 + (i % 128)}`, port: clusterPort + (i < 128 ? 0 : 1) },
          }),
        );
      }
    }, 180_000);

    afterAll(async () => {
      for (const m of monitors) await m.stop();
      await node?.stop();
    });

    it(
      "answers every CHECK and every RESET, drops nothing, reports p99",
      async () => {
        const before = udpErrors();
        const monitorPorts = new Set(monitors.map((m) => m.replyPort));
        const connectorPorts = new Set([node.connector.port]);
        const dropsBefore = { connector: socketDrops(connectorPorts), monitors: socketDrops(monitorPorts) };
        const checkLatency: number[] = [];
        let checksSent = 0;
        let checksUnanswered = 0;
        const pending: Promise<void>[] = [];
        const timers: NodeJS.Timeout[] = [];
        const end = Date.now() + SECONDS * 1000;
        // Each monitor CHECKs once a second, spread evenly over the second.
        monitors.forEach((m, i) => {
          const fire = () => {
            if (Date.now() >= end) return;
            checksSent++;
            const t = performance.now();
            pending.push(
              m.check(3000).then((r) => {
                if (r) checkLatency.push(performance.now() - t);
                else checksUnanswered++;
              }),
            );
          };
          timers.push(
            setTimeout(
              () => {
                fire();
                timers.push(setInterval(fire, 1000));
              },
              Math.floor((i * 1000) / MONITORS),
            ),
          );
        });
        await new Promise((r) => setTimeout(r, Math.min(5000, (SECONDS * 1000) / 4)));
        const log = new AnswerLog(monitors[0]!, node.connector);
        const runs = [...TARGETS, TARGETS[0]!].map((name, i) =>
          log.reset(
            { subsystem: 20001 + (i % TARGETS.length), systemName: name },
            { silenceMs: 5000, deadlineMs: 60_000 },
          ),
        );
        const results = await Promise.all(runs.map((r) => r.done));
        await new Promise((r) => setTimeout(r, Math.max(0, end - Date.now())));
        for (const t of timers) clearInterval(t);
        await Promise.all(pending);
        const after = udpErrors();
        const connectorKernelDrops = socketDrops(connectorPorts) - dropsBefore.connector;
        const monitorKernelDrops = socketDrops(monitorPorts) - dropsBefore.monitors;
        const state = await controlRequest<DumpState>(node.dirs.run, "dumpState");
        const accepted = runs.map(
          (r) => (r.record.acceptedAt ?? r.record.results[0]?.at ?? Number.NaN) - r.record.sentAt,
        );
        const resultMs = runs.map((r) => (r.record.results[0]?.at ?? Number.NaN) - r.record.sentAt);
        const logs = checkLogs(node.dirs.log);
        const row = recordFault({
          fault: `load: ${MONITORS} monitors CHECK 1/s for ${SECONDS} s, ${RESETS} simultaneous RESET requests (31 targets + 1 attached; 32 real ipmi_sim)`,
          expected: "every CHECK and RESET answered; no connector drop; p99 reported",
          measured: `${checksSent - checksUnanswered}/${checksSent} CHECKs answered; RESET results ${[...new Set(results)].join(",")} (${results.filter(Boolean).length}/${RESETS})`,
          figures: {
            "CHECK p50 ms": checkLatency.length ? percentile(checkLatency, 50).toFixed(1) : "none",
            "CHECK p99 ms": checkLatency.length ? percentile(checkLatency, 99).toFixed(1) : "none",
            "CHECK max ms": checkLatency.length ? Math.max(...checkLatency).toFixed(1) : "none",
            "RESET accepted p99 ms": Math.round(percentile(accepted, 99)),
            "RESET result p50 ms": Math.round(percentile(resultMs, 50)),
            "RESET result p99 ms": Math.round(percentile(resultMs, 99)),
            "RESET sends": runs.reduce((a, r) => a + r.record.sends, 0),
            "connector drops": totalDrops(state.drops),
            "connector socket kernel drops": connectorKernelDrops,
            "monitor sockets kernel drops": monitorKernelDrops,
            "kernel UDP RcvbufErrors delta (whole host)": after.rcvbuf - before.rcvbuf,
          },
          checks: {
            "every CHECK answered": checksUnanswered === 0,
            "every RESET answered DUMP": results.every((r) => r === "DUMP"),
            "one distinct result each": runs.every((r) => distinctResults(r.record).length === 1),
            "no connector drop": totalDrops(state.drops) === 0,
            "no kernel drop at the connector socket": connectorKernelDrops === 0,
            "logs parsable": logs.bad.length === 0,
          },
        });
        expect(row.checks, JSON.stringify(row.figures)).toEqual(
          Object.fromEntries(Object.keys(row.checks).map((k) => [k, true])),
        );
      },
      120_000 + SECONDS * 1000,
    );
  },
);
