// An HA monitor's RESET sent to the VIP DURING a takeover (issue 6): the pair runs as separate
// hosts in network namespaces (prefix "hcx2"); the HA monitor lives in its own namespace on
// the reset-path bridge and retransmits its RESET on the protocol's schedule, as a real HA
// monitor does. Right after kill -9 of the active it asks for a reset of another system; the
// standby fences the dead active through its iLO, takes the VIP, and must answer that RESET
// with the right result (DUMP after the hardware reset), doing the reset exactly once.
// The namespaces and daemons: netns-pair-fixture.ts. Every address lives only inside them.

import type { ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { netnsAvailable } from "../netns/index.js";
import { BUILT, cli, waitFor } from "./harness.js";
import { NODES, type NodeName, PairNetns } from "./netns-pair-fixture.js";
import { jsonLines, KEY_SNIPPET } from "./netns-pair-scripts.js";

const REQUESTER = { subsystem: 10001, system: "PSERVER1" };
const TARGET = { subsystem: 10002, system: "PSERVER2" };

/**
 * The HA monitor, run inside its namespace: registers with CHECK every second, and on the
 * line "reset" from stdin sends RESET, retransmitted (same request id, attempt+1) on
 * RESET_RETRANSMIT_MS until RESET-ACCEPTED or RESET-RESULT arrives (at most RESET_MAX_SENDS).
 * It acknowledges RESET-RESULT and ATTENTION and prints every message it gets as a JSON line.
 * Args: protocolDist connector port bind subsystem system target targetSystem.
 */
const MONITOR_SCRIPT = `
import { createSocket } from "node:dgram";
import { createInterface } from "node:readline";
const [dist, host, port, bind, sub, system, target, targetSystem] = process.argv.slice(2);
const p = await import(dist);
${KEY_SNIPPET}
const s = createSocket("udp4");
await new Promise((r) => s.bind(0, bind, r));
const out = (o) => process.stdout.write(JSON.stringify({ at: Date.now(), ...o }) + "\\n");
const header = (requestId, attempt) => ({ requestId, senderId: Number(sub), timestampMs: Date.now(), attempt });
const send = (m) => s.send(p.encodeResetPath(m, sign), Number(port), host);
let nextId = Math.floor(Math.random() * 1e8) + 1;
const check = () => send({ type: "check", header: header(nextId++, 0), body: {
  replyPort: s.address().port, kind: "physical", intervalSec: 1, pairSubsystem: 0, systemName: system, vmName: "" } });
let answered = null;
s.on("message", (raw, from) => {
  const r = p.decodeResetPath(raw, { now: Date.now(), ...verify });
  if (!r.ok) return out({ type: "drop", reason: r.reason });
  const m = r.value;
  if (m.type === "reset-result") {
    s.send(p.encodeResetPath({ type: "result-ack", header: header(m.header.requestId, 0),
      body: { targetSubsystem: m.body.targetSubsystem } }, sign), from.port, from.address);
  }
  if (m.type === "attention") {
    s.send(p.encodeResetPath({ type: "attention-ack", header: header(m.header.requestId, 0),
      body: { eventId: m.body.eventId } }, sign), from.port, from.address);
  }
  if (m.type === "reset-accepted" || m.type === "reset-result") answered ??= m.header.requestId;
  out({ type: m.type, requestId: m.header.requestId, body: m.body });
});
check();
setInterval(check, 1000);
createInterface({ input: process.stdin }).on("line", async (line) => {
  if (line.trim() !== "reset") return;
  const requestId = nextId++;
  answered = null;
  for (let attempt = 0; attempt < p.RESET_MAX_SENDS && answered !== requestId; attempt++) {
    send({ type: "reset", header: header(requestId, attempt), body: {
      targetSubsystem: Number(target), clusterPort: s.address().port, targetSystemName: targetSystem } });
    out({ type: "sent-reset", requestId, attempt });
    const wait = p.RESET_RETRANSMIT_MS[Math.min(attempt, p.RESET_RETRANSMIT_MS.length - 1)];
    const until = Date.now() + wait;
    while (Date.now() < until && answered !== requestId) await new Promise((r) => setTimeout(r, 10));
  }
});
`;

interface MonitorLine {
  at: number;
  type: string;
  requestId?: number;
  attempt?: number;
  body?: Record<string, unknown>;
}

describe.skipIf(!BUILT || !netnsAvailable())(
  "RESET to the VIP during a takeover, in network namespaces",
  () => {
    const pn = new PairNetns({
      prefix: "hcx2",
      net: "10.92",
      label: "hcx2",
      nodeLabel: "hcx2",
      pservers: [
        { name: "PSERVER1", port: 9003, nmi: true },
        { name: "PSERVER2", port: 9004, nmi: true },
      ],
      before: [["hispeed", "resettime=1000"]],
    });
    const { ilo, nodeDirs, pbmc, proc } = pn;
    const MON_ADDR = pn.monAddr;
    let violations: string[] = [];
    let monitor: ChildProcess | undefined;
    const lines: MonitorLine[] = [];
    const holdsVip = (n: NodeName) => pn.holdsVip(n);
    const roleOf = (n: NodeName) => pn.roleOf(n);
    const activeNode = () => pn.activeNode();

    const resetlog = (n: NodeName) =>
      readdirSync(nodeDirs[n].log)
        .filter((f) => /^resetlog\d+$/.test(f))
        .map((f) => readFileSync(join(nodeDirs[n].log, f), "utf8"))
        .join("");

    beforeAll(async () => {
      await pn.setUp();
      await pn.startAll();
      violations = pn.watchVip();
      const script = pn.script("monitor.mjs", MONITOR_SCRIPT);
      const args = [String(REQUESTER.subsystem), REQUESTER.system, String(TARGET.subsystem), TARGET.system];
      monitor = pn.spawnInMon(script, args, ["pipe", "pipe", "pipe"]);
      jsonLines(monitor, lines);
    }, 120_000);

    afterAll(() => pn.tearDown());

    it("the new active answers a RESET sent right after kill -9 of the active, with DUMP, resetting once", async () => {
      const active = await waitFor("an active", () => activeNode(), 30_000);
      const standby = NODES.find((n) => n !== active)!;
      await waitFor("standby", () => (roleOf(standby) === "standby" ? true : undefined), 20_000);
      await waitFor("VIP on the active", () => (holdsVip(active) ? true : undefined));
      // The monitor's registration reached the active and was mirrored to the standby.
      await waitFor(
        "registration mirrored on the standby",
        () => {
          const v = JSON.parse(cli(nodeDirs[standby], "haconnshow", ["hamonitor", "--json"]));
          return v.physical.find(
            (r: { name: string; address: string }) =>
              r.name === REQUESTER.system && r.address === String(REQUESTER.subsystem),
          );
        },
        20_000,
      );
      const bmcBefore = (await pbmc.PSERVER2!.actions()).length;

      const t0 = Date.now();
      proc[active]!.child.kill("SIGKILL");
      monitor!.stdin!.write("reset\n");
      const result = await waitFor(
        "RESET-RESULT",
        () => lines.find((l) => l.type === "reset-result" && l.at >= t0),
        40_000,
      );
      const took = result.at - t0;
      await proc[active]!.stop();
      proc[active] = undefined;
      const sends = lines.filter((l) => l.type === "sent-reset" && l.requestId === result.requestId);
      process.stdout.write(
        `RESET during takeover: ${sends.length} send(s), result ${JSON.stringify(result.body)} after ${took} ms\n`,
      );
      expect(result.body).toMatchObject({ targetSubsystem: TARGET.subsystem, result: "DUMP" });
      // The standby took over through fencing and holds the VIP; never two holders.
      expect(roleOf(standby)).toBe("active");
      expect(holdsVip(standby)).toBe(true);
      expect(holdsVip(active)).toBe(false);
      expect((await ilo[active].actions()).map((a) => a.action)).toContain("reset");
      expect(violations).toEqual([]);
      // The new active did the work and logged it: one job, one NMI, one hardware reset.
      const log = resetlog(standby);
      const id = `${TARGET.system} ${TARGET.subsystem}`;
      expect(log).toContain(`RM-RESET ${id} RECV ${MON_ADDR}`);
      expect(log).toMatch(
        new RegExp(
          `RM-RESET ${id} SEND ${MON_ADDR.replaceAll(".", "\\.")} \\d+ ${REQUESTER.subsystem} P DUMP`,
        ),
      );
      const actions = (await pbmc.PSERVER2!.actions()).slice(bmcBefore).map((a) => a.action);
      expect(actions.filter((a) => a === "nmi")).toHaveLength(1);
      expect(actions.filter((a) => a === "reset")).toHaveLength(1);
      // Every retransmission of the same request got the same answer, never a second job.
      const results = lines.filter((l) => l.type === "reset-result" && l.requestId === result.requestId);
      expect(new Set(results.map((r) => JSON.stringify(r.body))).size).toBe(1);
    }, 120_000);
  },
);
