// The pair as separate hosts (issue 6): two management-server namespaces joined by a direct
// duplex veth, a reset-path bridge with a namespace for the HA monitors, a management LAN with
// the BMCs (ipmi_sim) in their own namespace. Every address lives only inside these namespaces.
// A checker samples who holds the VIP and who says it is active, all along, and fails on overlap.

import { execFileSync } from "node:child_process";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
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
const VIP = "10.77.1.100";
const RP_PORT = 30000;
const NODES = ["HACON1", "HACON2"] as const;
type NodeName = (typeof NODES)[number];

describe.skipIf(!BUILT || !netnsAvailable())("pair in network namespaces", () => {
  const lab = new NetnsLab(`hp${process.pid % 100000}`);
  let dirs: LabDirs;
  const ns = {} as Record<NodeName | "sw" | "bmc" | "mon", string>;
  const ilo = {} as Record<NodeName, IpmiSim>;
  let pserverBmc: IpmiSim;
  const proc = {} as Record<NodeName, DaemonProcess | undefined>;
  const nodeDirs = {} as Record<NodeName, LabDirs>;
  const violations: string[] = [];
  let sampler: NodeJS.Timeout | undefined;

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
  const check = (): { responder: string; role: string } | undefined => {
    const out = execFileSync(
      "ip",
      [
        "netns",
        "exec",
        ns.mon,
        process.execPath,
        join(REPO, "tools/lab/src/scenarios/check-once.mjs"),
        join(REPO, "packages/protocol/dist/index.js"),
        VIP,
        String(RP_PORT),
        "10.77.1.21",
        "10001",
        "PSERVER1",
      ],
      { encoding: "utf8", timeout: 5000 },
    ).trim();
    return out === "timeout" ? undefined : JSON.parse(out);
  };

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

  beforeAll(async () => {
    NetnsLab.cleanupLeftovers(lab.prefix);
    for (const k of ["sw", "HACON1", "HACON2", "bmc", "mon"] as const) ns[k] = lab.add(k.toLowerCase());
    lab.bridge(ns.sw, "br-rp");
    lab.bridge(ns.sw, "br-mg");
    lab.attach(ns.sw, "br-rp", ns.HACON1, "rp0", "10.77.1.1/24");
    lab.attach(ns.sw, "br-rp", ns.HACON2, "rp0", "10.77.1.2/24");
    lab.attach(ns.sw, "br-rp", ns.mon, "rp0", "10.77.1.21/24");
    lab.attach(ns.sw, "br-mg", ns.HACON1, "mg0", "10.77.2.1/24");
    lab.attach(ns.sw, "br-mg", ns.HACON2, "mg0", "10.77.2.2/24");
    lab.attach(ns.sw, "br-mg", ns.bmc, "mg0", "10.77.2.10/24");
    lab.link({
      a: ns.HACON1,
      b: ns.HACON2,
      ifA: "dx0",
      ifB: "dx0",
      addrA: "10.77.3.1/24",
      addrB: "10.77.3.2/24",
    });
    [ilo.HACON1, ilo.HACON2, pserverBmc] = await Promise.all([
      IpmiSim.start({ netns: ns.bmc, address: "10.77.2.10", port: 9001 }),
      IpmiSim.start({ netns: ns.bmc, address: "10.77.2.10", port: 9002 }),
      IpmiSim.start({ netns: ns.bmc, address: "10.77.2.10", port: 9003, nmi: true }),
    ]);
    dirs = labDirs("pairns");
    cli(dirs, "haconnsetup", ["resetpath", `addr=${VIP}/24`, `port=${RP_PORT}`]);
    NODES.forEach((n, i) => {
      // check=off: the iLOs are reachable only from inside the namespaces, not from this test.
      cli(
        dirs,
        "haconnsetup",
        ["mserver", "add", n, `addr=10.77.2.10:${9001 + i}`, "account=admin", "cipher=3", "check=off"],
        PW,
      );
      cli(dirs, "haconnsetup", ["mlan", n, `addr=10.77.3.${i + 1}`, "port=5002"]);
    });
    cli(
      dirs,
      "haconnsetup",
      ["pserver", "add", "PSERVER1", "addr=10.77.2.10:9003", "account=admin", "cipher=3"],
      PW,
    );
    const key = generateAuthKey(1);
    writeFileSync(join(dirs.etc, "duplex.key"), formatKeyFile({ keys: [key], send: key }), { mode: 0o600 });
    for (const n of NODES) {
      nodeDirs[n] = labDirs(`pairns-${n}`);
      nodeDirs[n].env.HACONN_ETC_DIR = dirs.etc;
    }
    await Promise.all(NODES.map((n) => start(n)));
    sampler = setInterval(() => {
      const holders = NODES.filter(holdsVip);
      if (holders.length > 1)
        violations.push(`${new Date().toISOString()} VIP held by ${holders.join(" and ")}`);
    }, 20);
  }, 90_000);

  afterAll(async () => {
    if (sampler) clearInterval(sampler);
    for (const n of NODES) await proc[n]?.stop();
    await Promise.all([ilo.HACON1, ilo.HACON2, pserverBmc].map((s) => s?.stop()));
    lab.destroy();
    for (const n of NODES) if (nodeDirs[n]) removeDirs(nodeDirs[n]);
    if (dirs) removeDirs(dirs);
  });

  it("one active holds the VIP and answers CHECK; the other is standby", async () => {
    const active = await waitFor("an active", () => activeNode(), 20_000);
    const standby = NODES.find((n) => n !== active)!;
    await waitFor("standby", () => (roleOf(standby) === "standby" ? true : undefined));
    await waitFor("VIP on the active", () => (holdsVip(active) ? true : undefined));
    expect(holdsVip(standby)).toBe(false);
    const reply = await waitFor("CHECK", () => check());
    expect(reply).toMatchObject({ responder: active, role: "active" });
    expect(violations).toEqual([]);
  }, 40_000);

  it("kill -9 of the active: the standby fences it through its iLO, takes the VIP and answers", async () => {
    const active = activeNode()!;
    const standby = NODES.find((n) => n !== active)!;
    const t0 = Date.now();
    proc[active]!.child.kill("SIGKILL");
    await proc[active]!.stop();
    proc[active] = undefined;
    const reply = await waitFor(
      "CHECK answered by the new active",
      () => {
        const r = check();
        return r?.responder === standby ? r : undefined;
      },
      15_000,
    );
    const took = Date.now() - t0;
    process.stdout.write(`netns takeover after kill -9: ${took} ms (VIP moved, CHECK answered)\n`);
    expect(reply.role).toBe("active");
    expect(holdsVip(standby)).toBe(true);
    expect(holdsVip(active)).toBe(false);
    expect((await ilo[active].actions()).map((a) => a.action)).toContain("reset");
    expect(violations).toEqual([]);
    await start(active); // the "rebooted" server comes back
    await waitFor("comes back as standby", () => (roleOf(active) === "standby" ? true : undefined), 20_000);
  }, 60_000);

  it("duplex link down: exactly one active afterwards, never two at once", async () => {
    const active = activeNode()!;
    lab.setLink(ns.HACON1, "dx0", false);
    try {
      await waitFor(
        "settled after the cut",
        () => {
          const actives = NODES.filter((n) => roleOf(n) === "active");
          return actives.length === 1 && NODES.filter(holdsVip).length === 1 ? actives : undefined;
        },
        20_000,
      );
      await new Promise((r) => setTimeout(r, 2500));
      const hooks = NODES.map((n) => {
        try {
          return readFileSync(join(ilo[n].dir, "on-reset.log"), "utf8");
        } catch {
          return "";
        }
      }).join("");
      expect(
        NODES.filter((n) => roleOf(n) === "active"),
        `reset hooks:\n${hooks}`,
      ).toHaveLength(1);
      expect(violations).toEqual([]);
    } finally {
      lab.setLink(ns.HACON1, "dx0", true);
    }
    // The standby fenced the old active (its iLO reset killed it): bring it back.
    for (const n of NODES) {
      if (proc[n] && proc[n]!.child.exitCode === null && proc[n]!.child.signalCode === null) continue;
      await proc[n]?.stop();
      await start(n);
    }
    await waitFor(
      "pair again",
      () => (NODES.map(roleOf).sort().join() === "active,standby" ? true : undefined),
      25_000,
    );
    void active;
  }, 80_000);

  it("fencing impossible (iLO dead, no PDU): no takeover, the peer is shown in error", async () => {
    const active = activeNode()!;
    const standby = NODES.find((n) => n !== active)!;
    ilo[active].freeze();
    try {
      proc[active]!.child.kill("SIGKILL");
      await proc[active]!.stop();
      proc[active] = undefined;
      await waitFor(
        "peer error",
        () => {
          const s = JSON.parse(cli(nodeDirs[standby], "haconnshow", ["status", "--json"]));
          return s.mservers.find((m: { name: string }) => m.name === active)?.status === "error"
            ? true
            : undefined;
        },
        30_000,
      );
      expect(roleOf(standby)).toBe("standby");
      expect(holdsVip(standby)).toBe(false);
      expect(violations).toEqual([]);
    } finally {
      ilo[active].thaw();
    }
  }, 60_000);
});
