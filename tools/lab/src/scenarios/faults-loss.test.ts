// Fault: 30 % packet loss (and 5 % duplication, 0–40 ms delay) on the reset path, both ways,
// through a seeded lossy relay between every HA monitor and one real haconnd (this kernel has no
// netem). RESETs must still be answered through the monitors' retransmission and the
// connector's repeats, each reset carried out once.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { controlRequest, type DumpState, totalDrops } from "../faults/control.js";
import { checkLogs } from "../faults/logcheck.js";
import { LossyRelay } from "../faults/lossy-relay.js";
import { percentile, recordFault } from "../faults/report.js";
import { AnswerLog, distinctResults } from "../faults/requester.js";
import { SingleNode } from "../faults/single-node.js";
import { HamonSimMonitor, hamonSimKeyFor } from "../hamon-sim/index.js";
import { BUILT, waitFor } from "./harness.js";

const SEED = Number(process.env.HACONN_FAULT_SEED ?? 9301);
const TARGETS = ["PSERVER1", "PSERVER2", "PSERVER3", "PSERVER4", "PSERVER5"];
const REQUESTER = "PSERVER6";

describe.skipIf(!BUILT)("fault: reset-path packet loss 30 % (lossy relay)", () => {
  let node: SingleNode;
  const relays: LossyRelay[] = [];
  const monitors: Record<string, HamonSimMonitor> = {};

  beforeAll(async () => {
    node = await SingleNode.start({
      prefix: "floss",
      address: "127.0.95.1",
      pservers: [...TARGETS, REQUESTER].map((name) => ({ name })),
      hispeedMs: 1000,
    });
    let i = 0;
    let clusterPort: number | undefined;
    for (const name of [...TARGETS, REQUESTER]) {
      i++;
      const relay = await LossyRelay.start({
        listen: { address: "127.0.95.2", port: 0 },
        upstream: node.connector,
        outwardAddress: `127.0.95.${10 + i}`,
        loss: 0.3,
        duplicate: 0.05,
        delayMs: [0, 40],
        seed: SEED + i,
        ...(clusterPort ? { outwardPort: clusterPort } : {}),
      });
      clusterPort = relay.outward.port;
      relays.push(relay);
      monitors[name] = await HamonSimMonitor.start({
        subsystem: 10000 + i,
        systemName: name,
        connector: relay.listen,
        // Key mode through the relay: the key registered for the connector, not the relay.
        key: hamonSimKeyFor(node.connector),
        checkIntervalMs: 1000,
        bind: { address: `127.0.95.${30 + i}`, port: relay.outward.port },
      });
    }
    // Registered through the lossy path: each monitor got at least one CHECK-REPLY.
    await waitFor(
      "every monitor registered",
      () => Object.values(monitors).every((m) => m.lastCheckReply) || undefined,
      20_000,
    );
  }, 90_000);

  afterAll(async () => {
    for (const m of Object.values(monitors)) await m.stop();
    for (const r of relays) r.close();
    await node?.stop();
  });

  it("every RESET is answered once, each target reset once, nothing dropped by the connector but duplicates", async () => {
    const log = new AnswerLog(monitors[REQUESTER]!, relays.at(-1)!.listen);
    const runs = TARGETS.map((name, i) =>
      log.reset({ subsystem: 10001 + i, systemName: name }, { silenceMs: 5000, deadlineMs: 60_000 }),
    );
    const results = await Promise.all(runs.map((r) => r.done));
    await new Promise((r) => setTimeout(r, 3000)); // let the connector's repeats settle (dup checks)
    const latencies = runs.map((r) => (r.record.results[0]?.at ?? Number.NaN) - r.record.sentAt);
    const nmis: number[] = [];
    const hard: number[] = [];
    for (const name of TARGETS) {
      const acts = await node.actions(name);
      nmis.push(acts.filter((a) => a === "nmi").length);
      hard.push(acts.filter((a) => a === "reset").length);
    }
    const state = await controlRequest<DumpState>(node.dirs.run, "dumpState");
    const logs = checkLogs(node.dirs.log);
    const dropped = relays.reduce((a, r) => a + r.stats.toConnector.dropped + r.stats.toMonitor.dropped, 0);
    const passed = relays.reduce((a, r) => a + r.stats.toConnector.received + r.stats.toMonitor.received, 0);
    const row = recordFault({
      fault: "reset-path packet loss 30 % both ways (+5 % dup, 0–40 ms delay), 5 RESETs at once",
      expected: "every RESET answered (DUMP) via retransmission; one NMI and one hardware reset per target",
      measured: `results ${results.join(",")}; NMIs per target ${nmis.join(",")}; hard resets ${hard.join(",")}`,
      figures: {
        seed: SEED,
        "relay datagrams": passed,
        "relay dropped": dropped,
        "RESET sends": runs.map((r) => r.record.sends).join("/"),
        "result copies": runs.map((r) => r.record.results.length).join("/"),
        "result latency p50 ms": Math.round(percentile(latencies, 50)),
        "result latency max ms": Math.round(Math.max(...latencies)),
        "connector drops": totalDrops(state.drops),
      },
      checks: {
        "every request answered": results.every((r) => r === "DUMP"),
        "one distinct result per request": runs.every((r) => distinctResults(r.record).length === 1),
        "one NMI per target": nmis.every((n) => n === 1),
        "one hardware reset per target": hard.every((n) => n === 1),
        // Key mode: a datagram the relay duplicated is a replay of a signed frame, dropped as such;
        // nothing else may be dropped, and never more replays than the relay made copies.
        "no connector drop but duplicates":
          totalDrops(state.drops) === (state.drops?.replay ?? 0) &&
          (state.drops?.replay ?? 0) <= relays.reduce((a, r) => a + r.stats.toConnector.duplicated, 0),
        "reset log parsable": logs.bad.length === 0 && logs.resetLines > 0,
      },
    });
    expect(row.checks, JSON.stringify({ bad: logs.bad.slice(0, 5), drops: state.drops })).toEqual(
      Object.fromEntries(Object.keys(row.checks).map((k) => [k, true])),
    );
    expect(dropped).toBeGreaterThan(0);
  }, 90_000);
});
