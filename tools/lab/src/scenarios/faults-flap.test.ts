// Fault: the duplex link flaps (veth down/up repeatedly, seeded durations) between two haconnd
// nodes in their own network namespaces (prefix "hcf"). The iLO of each management server is an
// ipmi_sim whose reset hook kill -9s that node's daemon (a fenced server is really reset); a reset
// server is started again when the link is up. Never two live actives at once; at the end one
// active and one standby, synchronised.

import { execFileSync } from "node:child_process";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { formatKeyFile, generateAuthKey } from "@haconn/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { controlRequest, roleOf } from "../faults/control.js";
import { checkLogs } from "../faults/logcheck.js";
import { between, seededRandom } from "../faults/prng.js";
import { recordFault } from "../faults/report.js";
import { IpmiSim } from "../ipmi-sim/index.js";
import { NetnsLab, netnsAvailable } from "../netns/index.js";
import {
  BUILT,
  cli,
  type DaemonProcess,
  type LabDirs,
  labDirs,
  removeDirs,
  startDaemon,
  waitFor,
} from "./harness.js";

const NODES = ["HACON1", "HACON2"] as const;
type N = (typeof NODES)[number];
const SEED = Number(process.env.HACONN_FAULT_SEED ?? 4242);
const VIP = "10.78.1.100";
const CYCLES = Number(process.env.HACONN_FLAP_CYCLES ?? 5);

describe.skipIf(!BUILT || !netnsAvailable())("fault: duplex link flapping (namespaces)", () => {
  const lab = new NetnsLab(`hcf${process.pid % 10000}`);
  const ns = {} as Record<N | "sw" | "bmc", string>;
  const ilo = {} as Record<N, IpmiSim>;
  const proc = {} as Record<N, DaemonProcess | undefined>;
  const nodeDirs = {} as Record<N, LabDirs>;
  let dirs: LabDirs;
  const violations: string[] = [];
  let sampler: NodeJS.Timeout | undefined;
  let samples = 0;
  let fenced = 0;

  const alive = (n: N) => {
    const c = proc[n]?.child;
    return !!c && c.exitCode === null && c.signalCode === null;
  };
  const role = (n: N) => (alive(n) ? roleOf(nodeDirs[n].run, 500) : Promise.resolve(undefined));

  const start = async (n: N) => {
    proc[n] = await startDaemon(nodeDirs[n], { HACONN_NODE_NAME: n, HACONN_VIP: "ip" }, 20_000, [
      "ip",
      "netns",
      "exec",
      ns[n],
    ]);
    const hook = join(ilo[n].dir, "on-reset");
    // A reset server: its daemon dies and its addresses (the VIP) go.
    writeFileSync(
      hook,
      `#!/bin/sh\nkill -9 ${proc[n]!.child.pid} 2>/dev/null\n/usr/sbin/ip -n ${ns[n]} addr del ${VIP}/24 dev rp0 2>/dev/null\nexit 0\n`,
    );
    chmodSync(hook, 0o755);
  };
  const reviveDead = async () => {
    for (const n of NODES) {
      if (alive(n)) continue;
      if (proc[n]) fenced++;
      await proc[n]?.stop();
      await start(n);
    }
  };

  beforeAll(async () => {
    NetnsLab.cleanupLeftovers(lab.prefix);
    for (const k of ["sw", "HACON1", "HACON2", "bmc"] as const) ns[k] = lab.add(k.toLowerCase());
    lab.bridge(ns.sw, "br-rp");
    lab.attach(ns.sw, "br-rp", ns.HACON1, "rp0", "10.78.1.1/24");
    lab.attach(ns.sw, "br-rp", ns.HACON2, "rp0", "10.78.1.2/24");
    lab.bridge(ns.sw, "br-mg");
    lab.attach(ns.sw, "br-mg", ns.HACON1, "mg0", "10.78.2.1/24");
    lab.attach(ns.sw, "br-mg", ns.HACON2, "mg0", "10.78.2.2/24");
    lab.attach(ns.sw, "br-mg", ns.bmc, "mg0", "10.78.2.10/24");
    lab.link({
      a: ns.HACON1,
      b: ns.HACON2,
      ifA: "dx0",
      ifB: "dx0",
      addrA: "10.78.3.1/24",
      addrB: "10.78.3.2/24",
    });
    [ilo.HACON1, ilo.HACON2] = await Promise.all([
      IpmiSim.start({ netns: ns.bmc, address: "10.78.2.10", port: 9001 }),
      IpmiSim.start({ netns: ns.bmc, address: "10.78.2.10", port: 9002 }),
    ]);
    dirs = labDirs("hcf");
    // The reset path is a shared bridge with the VIP (its duplicate-address probe is part of the
    // election's safety: a starter that cannot hear its peer does not claim a VIP in use).
    cli(dirs, "haconnsetup", ["resetpath", `addr=${VIP}/24`, "port=30000"]);
    NODES.forEach((n, i) => {
      cli(
        dirs,
        "haconnsetup",
        ["mserver", "add", n, `addr=10.78.2.10:${9001 + i}`, "account=admin", "cipher=3", "check=off"],
        "haconn-sim-pw1",
      );
      cli(dirs, "haconnsetup", ["mlan", n, `addr=10.78.3.${i + 1}`, "port=5002"]);
    });
    const key = generateAuthKey(1);
    writeFileSync(join(dirs.etc, "duplex.key"), formatKeyFile({ keys: [key], send: key }), { mode: 0o600 });
    for (const n of NODES) {
      nodeDirs[n] = labDirs(`hcf-${n}`);
      nodeDirs[n].env.HACONN_ETC_DIR = dirs.etc;
    }
    await Promise.all(NODES.map((n) => start(n)));
    sampler = setInterval(() => {
      void Promise.all(NODES.map(role)).then((roles) => {
        samples++;
        if (roles.every((r) => r === "active") && NODES.every(alive))
          violations.push(`${new Date().toISOString()} both active`);
      });
    }, 100);
  }, 90_000);

  afterAll(async () => {
    if (sampler) clearInterval(sampler);
    for (const n of NODES) await proc[n]?.stop();
    await Promise.all(NODES.map((n) => ilo[n]?.stop()));
    lab.destroy();
    for (const n of NODES) if (nodeDirs[n]) removeDirs(nodeDirs[n]);
    if (dirs) removeDirs(dirs);
  });

  const settled = () =>
    waitFor(
      "one active + one standby, link OK",
      async () => {
        const roles = await Promise.all(NODES.map(role));
        if ([...roles].sort().join() !== "active,standby") return undefined;
        for (const n of NODES) {
          const s = await controlRequest<{ link: string }>(nodeDirs[n].run, "dumpState").catch(
            () => undefined,
          );
          if (s?.link !== "OK") return undefined;
        }
        return true;
      },
      40_000,
    );

  it("never two actives while the link flaps; one active + one standby synchronised after", async () => {
    await settled();
    const random = seededRandom(SEED);
    const t0 = Date.now();
    const downs: number[] = [];
    for (let c = 0; c < CYCLES; c++) {
      const down = between(random, 300, 3000);
      const up = between(random, 500, 2500);
      downs.push(down);
      lab.setLink(ns.HACON1, "dx0", false);
      await new Promise((r) => setTimeout(r, down));
      lab.setLink(ns.HACON1, "dx0", true);
      await new Promise((r) => setTimeout(r, up));
      await reviveDead();
    }
    const tEnd = Date.now();
    await reviveDead();
    await settled();
    const healMs = Date.now() - tEnd;
    const logs = NODES.map((n) => checkLogs(nodeDirs[n].log));
    const row = recordFault({
      fault: `duplex link flapping: ${CYCLES} cycles of veth down ${downs.join("/")} ms (seed ${SEED}), namespaces`,
      expected:
        "never two live actives; fencing through the iLO when a cut outlasts the heartbeat timeout; back to active + standby synchronised",
      measured: `${violations.length} overlap samples out of ${samples}; ${fenced} fencing resets; settled ${healMs} ms after the last cycle`,
      figures: {
        "flapping ms": tEnd - t0,
        "role samples": samples,
        "fencing resets": fenced,
        "settle ms": healMs,
      },
      checks: {
        "never two actives": violations.length === 0,
        "one active + one standby, link OK": true,
        "event logs parsable": logs.every((l) => l.bad.length === 0),
      },
    });
    if (process.env.HACONN_FLAP_KEEP_LOGS)
      for (const n of NODES)
        execFileSync("cp", ["-r", nodeDirs[n].log, `${process.env.HACONN_FLAP_KEEP_LOGS}/${n}`]);
    expect(row.checks, violations.join("\n")).toEqual(
      Object.fromEntries(Object.keys(row.checks).map((k) => [k, true])),
    );
  }, 180_000);
});
