// The pair's operator commands with the two management servers as separate hosts (issue 6), in
// network namespaces (prefix "hcx7"): haconnact restart (clean hand-over, no fencing), haconnact
// reload in each category (1 add-only, 3 PDU-only, 2 refused while the system's HA monitor
// runs), and the configuration-mismatch warning cleared by haconnact copy. Each node has its own
// configuration directory; every CLI command runs inside the node's namespace with the node's
// HACONN_* directories. A sampler process (independent of this test's event loop) looks at both
// nodes' addresses every 50 ms all along and the file fails on any moment with two VIP holders.
// The namespaces and daemons: netns-pair-fixture.ts. Every address lives only inside them.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { netnsAvailable } from "../netns/index.js";
import { BUILT, REPO, waitFor } from "./harness.js";
import { NODES, type NodeName, PairNetns, PW } from "./netns-pair-fixture.js";
import { jsonLines, MONITOR_SCRIPT } from "./netns-pair-scripts.js";

const NET = "10.97";
const MONITOR = { subsystem: 10001, system: "PSERVER1" };
const BUILT_ALL =
  BUILT &&
  ["apps/cli/dist/haconnact.js", "apps/cli/dist/haconnsby.js", "packages/protocol/dist/index.js"].every(
    (f) => {
      try {
        readFileSync(join(REPO, f));
        return true;
      } catch {
        return false;
      }
    },
  );

interface Status {
  link: string;
  mservers: { name: string; role: string; status: string }[];
  servers: { name: string }[];
}
interface Pserver {
  name: string;
  cluster: boolean;
  ipdusd: boolean;
  outlets: { pdu: string; outlet: number }[];
}

describe.skipIf(!BUILT_ALL || !netnsAvailable())("pair commands in network namespaces", () => {
  const pn = new PairNetns({
    prefix: "hcx7",
    net: NET,
    label: "hcx7-base",
    nodeLabel: "hcx7",
    pservers: [{ name: MONITOR.system, port: 9003 }],
    after: [["snmp", "name=public"]],
    ownEtc: true,
  });
  const { ilo, nodeDirs, proc } = pn;
  const BMC_ADDR = pn.bmcAddr;
  let samples: { at: number; holders: string[] }[] = [];
  const replies: { at: number; type: string; body: Record<string, unknown> }[] = [];
  const overlaps = () =>
    samples.filter((s) => s.holders.length > 1).map((s) => `${new Date(s.at).toISOString()} ${s.holders}`);
  const run = (n: NodeName, command: string, args: string[], input?: string) =>
    pn.run(n, command, args, input);
  const setup = async (n: NodeName, args: string[], password?: string) => {
    const r = await run(n, "haconnsetup", args, password);
    if (r.code !== 0) throw new Error(`haconnsetup ${args.join(" ")} on ${n}: ${r.code} ${r.err}`);
  };
  const status = async (n: NodeName): Promise<Status | undefined> => {
    if (!proc[n]) return undefined;
    const r = await run(n, "haconnshow", ["status", "--json"]);
    try {
      return r.code === 0 ? JSON.parse(r.out) : undefined;
    } catch {
      return undefined;
    }
  };
  const holdsVip = (n: NodeName) => pn.holdsVipAsync(n);
  /** One CHECK to the VIP from the HA monitors' namespace: the reply's body, or undefined. */
  const check = () => pn.checkAsync(10009, "PSERVER9");
  const file = (n: NodeName) => JSON.parse(readFileSync(join(nodeDirs[n].etc, "haconn.json"), "utf8"));
  const pserver = (n: NodeName, system: string): Pserver | undefined =>
    file(n).pservers.find((p: Pserver) => p.name === system);
  const events = (n: NodeName): { msg: string }[] =>
    readdirSync(nodeDirs[n].log)
      .filter((f) => f.startsWith("eventlog"))
      .flatMap((f) => readFileSync(join(nodeDirs[n].log, f), "utf8").split("\n"))
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l));
  const count = (n: NodeName, re: RegExp) => events(n).filter((e) => re.test(e.msg)).length;
  const countBoth = (re: RegExp) => NODES.reduce((sum, n) => sum + count(n, re), 0);
  const eventText = () =>
    NODES.map(
      (n) =>
        `--- ${n}\n${events(n)
          .map((e) => e.msg)
          .join("\n")}`,
    ).join("\n");

  /** One active, one standby, link OK on both (`haconnshow status`). */
  const settled = async () => {
    let last: unknown;
    const active = await waitFor(
      "one active, one standby, link OK on both",
      async () => {
        const st = await Promise.all(NODES.map(status));
        last = st;
        const roles = NODES.map((n, i) => st[i]?.mservers.find((m) => m.name === n)?.role);
        if (roles.slice().sort().join() !== "active,standby") return undefined;
        if (!st.every((s) => s?.link === "OK")) return undefined;
        return NODES[roles.indexOf("active")]!;
      },
      30_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}: last status ${JSON.stringify(last)}\n${eventText()}`);
    });
    return { active, standby: NODES.find((n) => n !== active)! };
  };

  /** A node fenced by an earlier scenario (its reset hook killed haconnd) is "rebooted". */
  const pair = async () => {
    await pn.restartDead();
    return settled();
  };

  beforeAll(async () => {
    await pn.setUp();
    samples = pn.spawnVipSampler(50);
    await pn.startAll();
    const script = pn.script("monitor.mjs", MONITOR_SCRIPT);
    const monitor = pn.spawnInMon(
      script,
      [String(MONITOR.subsystem), MONITOR.system],
      ["ignore", "pipe", "ignore"],
    );
    jsonLines(monitor, replies);
  }, 90_000);

  afterAll(() => pn.tearDown());

  it("haconnact restart: the standby takes the VIP without fencing; the old active returns as standby", async () => {
    const { active, standby } = await settled();
    await waitFor("VIP on the active", async () => (await holdsVip(active)) || undefined);
    expect(await check()).toMatchObject({ responder: active, role: "active" });
    const before = {
      [active]: (await ilo[active].actions()).length,
      [standby]: (await ilo[standby].actions()).length,
    };
    const r = await run(active, "haconnact", ["restart"]);
    expect(r.code, r.err).toBe(0);
    const reply = await waitFor(
      "CHECK on the VIP answered by the old standby",
      async () => {
        const c = await check();
        return c?.responder === standby ? c : undefined;
      },
      20_000,
    );
    expect(reply.role).toBe("active");
    expect(await holdsVip(standby)).toBe(true);
    expect(await holdsVip(active)).toBe(false);
    // A clean hand-over: no reset or power action on either iLO; the old active's haconnd lives on.
    for (const n of NODES) {
      const actions = (await ilo[n].actions()).slice(before[n]).map((a) => a.action);
      expect(actions, `${n}'s iLO\n${eventText()}`).toEqual([]);
    }
    expect(proc[active]!.child.exitCode).toBeNull();
    expect(proc[active]!.child.signalCode).toBeNull();
    expect(await settled()).toEqual({ active: standby, standby: active });
    expect(samples.length).toBeGreaterThan(10);
    expect(overlaps()).toEqual([]);
  }, 60_000);

  it("reload category 1: a pserver added on the active, completed, the standby gets the same file", async () => {
    const { active, standby } = await pair();
    await setup(
      active,
      ["pserver", "add", "PSERVER2", `addr=${BMC_ADDR}:9004`, "account=admin", "cipher=3"],
      PW,
    );
    const restarts = count(standby, /connector restarted/);
    const r = await run(active, "haconnact", ["reload"]);
    expect(r.err).toBe("");
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain("-- HA monitor connector reload : completed. --");
    expect(r.out).toMatch(/PSERVER2\s+: Add\s+: Success/);
    expect(file(standby)).toEqual(file(active));
    await waitFor(
      "the standby restarted",
      () => count(standby, /connector restarted/) > restarts || undefined,
    );
    expect(await settled()).toEqual({ active, standby });
    for (const n of NODES) expect((await status(n))!.servers.map((s) => s.name)).toContain("PSERVER2");
    expect(overlaps()).toEqual([]);
  }, 60_000);

  it("reload category 3: a PDU-only change completes while PSERVER1's HA monitor runs", async () => {
    const { active, standby } = await pair();
    await setup(active, ["ipdu", "add", `${NET}.2.60`, "model=IBM_PDU"]);
    await setup(active, ["pserver", "mod", "PSERVER1", "ipdusd=on", "timeout=10", "recoverytime=0"]);
    await setup(active, ["pserver", "ipduadd", "PSERVER1", `addr=${NET}.2.60`, "concent=3"]);
    const r = await run(active, "haconnact", ["reload"]);
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toContain("completed.");
    expect(r.out).toMatch(/PSERVER1\s+: Change\s+: Success/);
    expect(r.out).toMatch(/iPDU\s+: 1 \/ 1\s+: Success/);
    expect(file(standby)).toEqual(file(active));
    expect(pserver(standby, "PSERVER1")).toMatchObject({
      ipdusd: true,
      outlets: [{ pdu: `${NET}.2.60`, outlet: 3 }],
    });
    expect(await settled()).toEqual({ active, standby });
    expect(overlaps()).toEqual([]);
  }, 60_000);

  it("reload category 2 while PSERVER1's HA monitor is registered: refused with the reason, nothing changed", async () => {
    const { active, standby } = await pair();
    // The monitor in its own namespace registers through the VIP; the active knows it.
    await waitFor(
      "PSERVER1's HA monitor registered on the active",
      async () => {
        const h = await run(active, "haconnshow", ["hamonitor", "--json"]);
        if (h.code !== 0) return undefined;
        return JSON.parse(h.out).physical.find(
          (m: { name: string; address: string }) =>
            m.name === MONITOR.system && m.address === String(MONITOR.subsystem),
        );
      },
      20_000,
    );
    expect(replies.some((r) => r.type === "check-reply" && r.body.responder === active)).toBe(true);
    const filesBefore = { active: JSON.stringify(file(active)), standby: JSON.stringify(file(standby)) };
    const running = () => Promise.all(NODES.map(async (n) => (await status(n))!.servers.map((x) => x.name)));
    const runningBefore = await running();
    const warned = countBoth(/configuration differs/);
    await setup(active, ["pserver", "mod", "PSERVER1", "cluster=on"]);
    const r = await run(active, "haconnact", ["reload"]);
    expect(r.code, r.out + r.err).toBe(2);
    expect(r.out).toContain("-- HA monitor connector reload : failed. --");
    expect(r.out).toMatch(/PSERVER1\s+: Change\s+: Error/);
    expect(r.out).toMatch(/HA monitor on PSERVER1 is running \(subsystem 10001/);
    expect(r.out).toMatch(/must be stopped first/);
    expect(r.out).toMatch(new RegExp(`${standby}\\s+: No Change`));
    // Nothing changed: the standby's file, what both nodes run (no digest mismatch appears).
    expect(JSON.stringify(file(standby))).toBe(filesBefore.standby);
    expect(pserver(active, "PSERVER1")?.cluster).toBe(true);
    await new Promise((res) => setTimeout(res, 3000)); // longer than the mismatch grace (2 s)
    expect(countBoth(/configuration differs/), eventText()).toBe(warned);
    expect(await running()).toEqual(runningBefore);
    expect(await settled()).toEqual({ active, standby });
    // The operator undoes the edit: the active's file is again the one both nodes run.
    await setup(active, ["pserver", "mod", "PSERVER1", "cluster=off"]);
    expect(JSON.stringify(file(active))).toBe(filesBefore.active);
    expect(overlaps()).toEqual([]);
  }, 60_000);

  it("configuration mismatch: a change of the standby's file is warned about; haconnact copy clears it", async () => {
    const { active, standby } = await pair();
    const warned = countBoth(/configuration differs/);
    const matched = countBoth(/configuration matches .* again/);
    await setup(
      standby,
      ["pserver", "add", "PSERVER4", `addr=${BMC_ADDR}:9005`, "account=admin", "cipher=3"],
      PW,
    );
    expect(file(standby)).not.toEqual(file(active));
    // haconnd reads its file at start: the standby's haconnd restarts with the changed file.
    await proc[standby]!.stop();
    await pn.start(standby);
    await waitFor(
      "the mismatch warning",
      () => countBoth(/configuration differs/) > warned || undefined,
      20_000,
    );
    expect(await settled()).toEqual({ active, standby });
    const r = await run(active, "haconnact", ["copy"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toBe(`Configuration copied to ${standby}.\n`);
    expect(file(standby)).toEqual(file(active));
    expect(pserver(standby, "PSERVER4")).toBeUndefined();
    await waitFor(
      "configuration matches again",
      () => countBoth(/configuration matches .* again/) > matched || undefined,
      20_000,
    );
    expect((await status(standby))!.servers.map((s) => s.name)).not.toContain("PSERVER4");
    expect(await settled()).toEqual({ active, standby });
    expect(overlaps()).toEqual([]);
  }, 60_000);
});
