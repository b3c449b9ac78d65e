// An HA monitor's RESET sent to the VIP DURING a takeover (issue 6): the pair runs as separate
// hosts in network namespaces (prefix "hcx2"); the HA monitor lives in its own namespace on
// the reset-path bridge and retransmits its RESET on the protocol's schedule, as a real HA
// monitor does. Right after kill -9 of the active it asks for a reset of another system; the
// standby fences the dead active through its iLO, takes the VIP, and must answer that RESET
// with the right result (DUMP after the hardware reset), doing the reset exactly once.
// Helpers copied from pair-netns.test.ts. Every address lives only inside these namespaces.

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatKeyFile, generateAuthKey } from "@haconn/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IpmiSim } from "../ipmi-sim/index.js";
import { NetnsLab, netnsAvailable } from "../netns/index.js";
import {
  BUILT,
  cli,
  type DaemonProcess,
  type LabDirs,
  labDirs,
  REPO,
  removeDirs,
  startDaemon,
  waitFor,
} from "./harness.js";

const PW = "haconn-sim-pw1";
const VIP = "10.92.1.100";
const MON_ADDR = "10.92.1.21";
const RP_PORT = 30000;
const NODES = ["HACON1", "HACON2"] as const;
type NodeName = (typeof NODES)[number];
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
const s = createSocket("udp4");
await new Promise((r) => s.bind(0, bind, r));
const out = (o) => process.stdout.write(JSON.stringify({ at: Date.now(), ...o }) + "\\n");
const header = (requestId, attempt) => ({ requestId, senderId: Number(sub), timestampMs: Date.now(), attempt });
const send = (m) => s.send(p.encodeResetPath(m), Number(port), host);
let nextId = Math.floor(Math.random() * 1e8) + 1;
const check = () => send({ type: "check", header: header(nextId++, 0), body: {
  replyPort: s.address().port, kind: "physical", intervalSec: 1, pairSubsystem: 0, systemName: system, vmName: "" } });
let answered = null;
s.on("message", (raw, from) => {
  const r = p.decodeResetPath(raw, { now: Date.now() });
  if (!r.ok) return out({ type: "drop", reason: r.reason });
  const m = r.value;
  if (m.type === "reset-result") {
    s.send(p.encodeResetPath({ type: "result-ack", header: header(m.header.requestId, 0),
      body: { targetSubsystem: m.body.targetSubsystem } }), from.port, from.address);
  }
  if (m.type === "attention") {
    s.send(p.encodeResetPath({ type: "attention-ack", header: header(m.header.requestId, 0),
      body: { eventId: m.body.eventId } }), from.port, from.address);
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
    const lab = new NetnsLab("hcx2");
    let dirs: LabDirs;
    const ns = {} as Record<NodeName | "sw" | "bmc" | "mon", string>;
    const ilo = {} as Record<NodeName, IpmiSim>;
    const pbmc = {} as Record<"PSERVER1" | "PSERVER2", IpmiSim>;
    const proc = {} as Record<NodeName, DaemonProcess | undefined>;
    const nodeDirs = {} as Record<NodeName, LabDirs>;
    const violations: string[] = [];
    let sampler: NodeJS.Timeout | undefined;
    let scriptDir: string | undefined;
    let monitor: ChildProcess | undefined;
    const lines: MonitorLine[] = [];

    const holdsVip = (n: NodeName) => {
      try {
        return execFileSync("ip", ["-n", ns[n], "-4", "-o", "addr", "show"], { encoding: "utf8" }).includes(
          ` ${VIP}/`,
        );
      } catch {
        return false;
      }
    };
    const roleOf = (n: NodeName): string | undefined => {
      if (!proc[n]) return undefined;
      try {
        const s = JSON.parse(cli(nodeDirs[n], "haconnshow", ["status", "--json"]));
        return s.mservers.find((m: { name: string }) => m.name === n)?.role;
      } catch {
        return undefined;
      }
    };
    const activeNode = () => NODES.find((n) => roleOf(n) === "active");

    /** The BMC of a management server makes a reset real: its daemon dies and its addresses go. */
    const armReset = (n: NodeName) => {
      const pid = proc[n]?.child.pid;
      const hook = join(ilo[n].dir, "on-reset");
      writeFileSync(
        hook,
        `#!/bin/sh\nexec >>"${hook}.log" 2>&1\necho "$(date +%s%3N) reset of ${n}"\n${pid ? `kill -9 ${pid}\n` : ""}/usr/sbin/ip -n ${ns[n]} addr del ${VIP}/24 dev rp0\nexit 0\n`,
      );
      chmodSync(hook, 0o755);
    };

    const start = async (n: NodeName) => {
      proc[n] = await startDaemon(nodeDirs[n], { HACONN_NODE_NAME: n, HACONN_VIP: "ip" }, 20_000, [
        "ip",
        "netns",
        "exec",
        ns[n],
      ]);
      armReset(n);
    };

    const resetlog = (n: NodeName) =>
      readdirSync(nodeDirs[n].log)
        .filter((f) => /^resetlog\d+$/.test(f))
        .map((f) => readFileSync(join(nodeDirs[n].log, f), "utf8"))
        .join("");

    beforeAll(async () => {
      NetnsLab.cleanupLeftovers(lab.prefix);
      for (const k of ["sw", "HACON1", "HACON2", "bmc", "mon"] as const) ns[k] = lab.add(k.toLowerCase());
      lab.bridge(ns.sw, "br-rp");
      lab.bridge(ns.sw, "br-mg");
      lab.attach(ns.sw, "br-rp", ns.HACON1, "rp0", "10.92.1.1/24");
      lab.attach(ns.sw, "br-rp", ns.HACON2, "rp0", "10.92.1.2/24");
      lab.attach(ns.sw, "br-rp", ns.mon, "rp0", `${MON_ADDR}/24`);
      lab.attach(ns.sw, "br-mg", ns.HACON1, "mg0", "10.92.2.1/24");
      lab.attach(ns.sw, "br-mg", ns.HACON2, "mg0", "10.92.2.2/24");
      lab.attach(ns.sw, "br-mg", ns.bmc, "mg0", "10.92.2.10/24");
      lab.link({
        a: ns.HACON1,
        b: ns.HACON2,
        ifA: "dx0",
        ifB: "dx0",
        addrA: "10.92.3.1/24",
        addrB: "10.92.3.2/24",
      });
      [ilo.HACON1, ilo.HACON2, pbmc.PSERVER1, pbmc.PSERVER2] = await Promise.all([
        IpmiSim.start({ netns: ns.bmc, address: "10.92.2.10", port: 9001 }),
        IpmiSim.start({ netns: ns.bmc, address: "10.92.2.10", port: 9002 }),
        IpmiSim.start({ netns: ns.bmc, address: "10.92.2.10", port: 9003, nmi: true }),
        IpmiSim.start({ netns: ns.bmc, address: "10.92.2.10", port: 9004, nmi: true }),
      ]);
      dirs = labDirs("hcx2");
      cli(dirs, "haconnsetup", ["resetpath", `addr=${VIP}/24`, `port=${RP_PORT}`]);
      cli(dirs, "haconnsetup", ["hispeed", "resettime=1000"]);
      NODES.forEach((n, i) => {
        // check=off: the iLOs are reachable only from inside the namespaces, not from this test.
        cli(
          dirs,
          "haconnsetup",
          ["mserver", "add", n, `addr=10.92.2.10:${9001 + i}`, "account=admin", "cipher=3", "check=off"],
          PW,
        );
        cli(dirs, "haconnsetup", ["mlan", n, `addr=10.92.3.${i + 1}`, "port=5002"]);
      });
      for (const [name, port] of [
        ["PSERVER1", 9003],
        ["PSERVER2", 9004],
      ] as const) {
        cli(
          dirs,
          "haconnsetup",
          ["pserver", "add", name, `addr=10.92.2.10:${port}`, "account=admin", "cipher=3"],
          PW,
        );
      }
      const key = generateAuthKey(1);
      writeFileSync(join(dirs.etc, "duplex.key"), formatKeyFile({ keys: [key], send: key }), { mode: 0o600 });
      for (const n of NODES) {
        nodeDirs[n] = labDirs(`hcx2-${n}`);
        nodeDirs[n].env.HACONN_ETC_DIR = dirs.etc;
      }
      await Promise.all(NODES.map((n) => start(n)));
      sampler = setInterval(() => {
        const holders = NODES.filter(holdsVip);
        if (holders.length > 1)
          violations.push(`${new Date().toISOString()} VIP held by ${holders.join(" and ")}`);
      }, 20);
      scriptDir = mkdtempSync(join(tmpdir(), "haconn-hcx2-"));
      const script = join(scriptDir, "monitor.mjs");
      writeFileSync(script, MONITOR_SCRIPT);
      monitor = spawn(
        "ip",
        [
          "netns",
          "exec",
          ns.mon,
          process.execPath,
          script,
          join(REPO, "packages/protocol/dist/index.js"),
          VIP,
          String(RP_PORT),
          MON_ADDR,
          String(REQUESTER.subsystem),
          REQUESTER.system,
          String(TARGET.subsystem),
          TARGET.system,
        ],
        { stdio: ["pipe", "pipe", "pipe"] },
      );
      let partial = "";
      monitor.stdout!.on("data", (d: Buffer) => {
        partial += d.toString();
        const parts = partial.split("\n");
        partial = parts.pop()!;
        for (const p of parts) if (p.trim()) lines.push(JSON.parse(p));
      });
    }, 120_000);

    afterAll(async () => {
      if (sampler) clearInterval(sampler);
      monitor?.kill("SIGKILL");
      for (const n of NODES) await proc[n]?.stop();
      await Promise.all([...Object.values(ilo), ...Object.values(pbmc)].map((s) => s?.stop()));
      lab.destroy();
      for (const n of NODES) if (nodeDirs[n]) removeDirs(nodeDirs[n]);
      if (dirs) removeDirs(dirs);
      if (scriptDir) rmSync(scriptDir, { recursive: true, force: true });
    });

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
      const bmcBefore = (await pbmc.PSERVER2.actions()).length;

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
      const actions = (await pbmc.PSERVER2.actions()).slice(bmcBefore).map((a) => a.action);
      expect(actions.filter((a) => a === "nmi")).toHaveLength(1);
      expect(actions.filter((a) => a === "reset")).toHaveLength(1);
      // Every retransmission of the same request got the same answer, never a second job.
      const results = lines.filter((l) => l.type === "reset-result" && l.requestId === result.requestId);
      expect(new Set(results.map((r) => JSON.stringify(r.body))).size).toBe(1);
    }, 120_000);
  },
);
