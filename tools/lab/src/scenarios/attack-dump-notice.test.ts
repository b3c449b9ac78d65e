// Issue #17 rows C2 and C3 against a real built haconnd on loopback (127.0.84.x) with ipmi_sim
// BMCs, attacked with the independent raw client (tools/lab/src/attacker, written from
// docs/protocol.md alone). A DUMP notice — ours or fence_kdump's — counts only while a reset of
// that system is in its software-reset phase and only from the system's registered address.
//   C2 (no key): a forged DUMP-NOTICE with the right subsystem from another address gives no
//     ATTENTION, and a later RESET goes NMI → hardware reset at the BMC; during a reset it does
//     not cancel the hardware reset.
//   C3 (key required, fence_kdump listener on): a fence_kdump datagram from an unregistered
//     address during a reset, or from the registered address with no reset, does nothing.
import { writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RawKey } from "../attacker/frame-raw.js";
import { kdumpNotice, RawUdp, RP_TYPE, rpBody, rpFrame, rpParse } from "../attacker/reset-path-raw.js";
import { IpmiSim } from "../ipmi-sim/index.js";
import { BUILT, cli, freeUdpPort, labDirs, removeDirs, startDaemon, waitFor } from "./harness.js";

const PW = "Atk84-bmc-Pw3z";
const ATTACKER = "127.0.84.66";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An HA monitor played with the raw client: CHECK, RESET, and what it receives. */
class RawMonitor {
  private nextId = 1;
  private constructor(
    readonly udp: RawUdp,
    readonly subsystem: number,
    readonly system: string,
    private readonly connector: { address: string; port: number },
    private readonly key: RawKey | undefined,
  ) {}

  static async open(
    address: string,
    port: number,
    subsystem: number,
    system: string,
    connector: { address: string; port: number },
    key?: RawKey,
  ): Promise<RawMonitor> {
    return new RawMonitor(await RawUdp.open(address, port), subsystem, system, connector, key);
  }

  private sign() {
    return this.key ? { sign: { key: this.key } } : {};
  }

  async check(): Promise<void> {
    const requestId = this.nextId++;
    const frame = rpFrame({
      type: RP_TYPE.check,
      requestId,
      senderId: this.subsystem,
      body: rpBody.check({ replyPort: this.udp.port, system: this.system }),
      ...this.sign(),
    });
    await this.udp.send(frame, this.connector);
    const reply = await this.udp.waitFor(
      (r) => r.frame?.type === RP_TYPE.checkReply && r.frame.requestId === requestId,
      5000,
    );
    expect(reply, `CHECK-REPLY to ${this.system}`).toBeDefined();
    expect(rpParse.checkReply(reply!.frame!.body).blockers & 1, `${this.system} known`).toBe(0);
  }

  /** Sends a RESET of `target` and waits for RESET-ACCEPTED. */
  async reset(target: number, system: string, requestId: number): Promise<void> {
    const frame = rpFrame({
      type: RP_TYPE.reset,
      requestId,
      senderId: this.subsystem,
      body: rpBody.reset({ target, clusterPort: this.udp.port, system }),
      ...this.sign(),
    });
    await this.udp.send(frame, this.connector);
    const answer = await this.udp.waitFor(
      (r) =>
        (r.frame?.type === RP_TYPE.resetAccepted || r.frame?.type === RP_TYPE.resetResult) &&
        r.frame.requestId === requestId,
      5000,
    );
    expect(answer?.frame?.type, `RESET #${requestId} accepted`).toBe(RP_TYPE.resetAccepted);
  }

  /** The RESET-RESULT of `requestId` (1 DUMP, 2 POFF, 3 FAIL, 4 ERROR). */
  async result(requestId: number, ms = 15_000): Promise<number | undefined> {
    const r = await this.udp.waitFor(
      (x) => x.frame?.type === RP_TYPE.resetResult && x.frame.requestId === requestId,
      ms,
    );
    return r ? rpParse.resetResult(r.frame!.body).result : undefined;
  }

  /** ATTENTION states received for `target` (1 DUMP, 2 REBOOT, 3 POFF), one per event. */
  attentions(target: number): number[] {
    const seen = new Map<bigint, number>();
    for (const f of this.udp.frames(RP_TYPE.attention)) {
      const a = rpParse.attention(f.body);
      if (a.target === target) seen.set(a.eventId, a.state);
    }
    return [...seen.values()];
  }

  close(): void {
    this.udp.close();
  }
}

/** A cluster on one haconnd: PSERVER1..n with ipmi_sim BMCs, monitors at 127.0.84.<base+i>. */
async function cluster(
  prefix: string,
  vip: string,
  monitorBase: number,
  opts: { key?: RawKey; kdump?: boolean; servers: number },
) {
  const dirs = labDirs(prefix);
  const ids = Array.from({ length: opts.servers }, (_, i) => i + 1);
  const bmc = await Promise.all(ids.map(() => IpmiSim.start({ nmi: true, password: PW })));
  const port = await freeUdpPort(vip);
  const connector = { address: vip, port };
  // Without a key: insecure on purpose (the explicit switch), the engine's rule must hold anyway.
  cli(dirs, "haconnsetup", [
    "resetpath",
    `addr=${vip}/8`,
    `port=${port}`,
    ...(opts.key ? [] : ["insecure=on"]),
  ]);
  cli(dirs, "haconnsetup", ["hispeed", "resettime=1000"]);
  for (const [i, b] of bmc.entries()) {
    cli(
      dirs,
      "haconnsetup",
      ["pserver", "add", `PSERVER${i + 1}`, `addr=127.0.0.1:${b.port}`, "account=admin", "cipher=3"],
      PW,
    );
  }
  if (opts.key) {
    const line = `${opts.key.id} ${opts.key.secret.toString("hex")} send\n`;
    writeFileSync(join(dirs.etc, "resetpath.key"), `# attack test key\n${line}`, { mode: 0o600 });
  }
  // The fence_kdump listener is off unless configured (haconnsetup kdump, docs/security.md §2 A).
  const kdumpPort = opts.kdump ? await freeUdpPort(vip) : null;
  if (kdumpPort) cli(dirs, "haconnsetup", ["kdump", `port=${kdumpPort}`]);
  const daemon = await startDaemon(dirs);
  const clusterPort = await freeUdpPort(`127.0.84.${monitorBase + 1}`);
  const monitors: RawMonitor[] = [];
  for (const i of ids) {
    const m = await RawMonitor.open(
      `127.0.84.${monitorBase + i}`,
      clusterPort,
      10000 + i,
      `PSERVER${i}`,
      connector,
      opts.key,
    );
    await m.check();
    monitors.push(m);
  }
  const actions = async (i: number) => (await bmc[i - 1]!.actions()).map((a) => a.action);
  const stop = async () => {
    for (const m of monitors) m.close();
    await daemon.stop();
    await Promise.all(bmc.map((b) => b.stop()));
    removeDirs(dirs);
  };
  return { dirs, daemon, bmc, connector, kdumpPort, monitors, actions, stop };
}

type Cluster = Awaited<ReturnType<typeof cluster>>;

/** Waits for the BMC to carry out `action`. */
function bmcDid(c: Cluster, i: number, action: string, ms = 10_000) {
  return waitFor(
    `${action} on PSERVER${i}`,
    async () => ((await c.actions(i)).includes(action) ? true : undefined),
    ms,
  );
}

describe.skipIf(!BUILT)("attack C2: forged DUMP-NOTICE (no key)", () => {
  let c: Cluster;
  let attacker: RawUdp;
  beforeAll(async () => {
    c = await cluster("atk-dump", "127.0.84.1", 20, { servers: 3 });
    attacker = await RawUdp.open(ATTACKER, 0);
  }, 120_000);
  afterAll(async () => {
    attacker?.close();
    await c?.stop();
  });

  const forged = (subsystem: number, system: string, requestId: number) =>
    rpFrame({
      type: RP_TYPE.dumpNotice,
      requestId,
      senderId: subsystem,
      body: rpBody.dumpNotice({ clusterPort: c.monitors[0]!.udp.port, system }),
    });

  it("one forged DUMP-NOTICE for a healthy system: no ATTENTION; a later RESET goes NMI → hardware reset", async () => {
    await attacker.send(forged(10001, "PSERVER1", 7001), c.connector);
    await attacker.send(forged(10001, "", 7002), c.connector);
    await sleep(1500);
    for (const m of c.monitors) expect(m.attentions(10001), `ATTENTION to ${m.system}`).toEqual([]);
    const mon3 = c.monitors[2]!;
    await mon3.reset(10001, "PSERVER1", 31);
    await bmcDid(c, 1, "nmi");
    await bmcDid(c, 1, "reset");
    expect(await mon3.result(31)).toBe(1); // DUMP: "reset complete"
    await waitFor("ATTENTION REBOOT", () => (mon3.attentions(10001).length > 0 ? true : undefined), 5000);
    expect(mon3.attentions(10001)).toEqual([2]); // REBOOT, from the hardware reset
    expect((await c.actions(1)).filter((a) => a === "nmi" || a === "reset")).toEqual(["nmi", "reset"]);
  }, 30_000);

  it("during a reset: a forged DUMP-NOTICE does not cancel the hardware reset", async () => {
    const mon3 = c.monitors[2]!;
    await mon3.reset(10002, "PSERVER2", 32);
    await attacker.send(forged(10002, "PSERVER2", 7101), c.connector);
    await sleep(200);
    await attacker.send(forged(10002, "PSERVER2", 7102), c.connector);
    await bmcDid(c, 2, "reset");
    expect(await mon3.result(32)).toBe(1);
    await waitFor("ATTENTION", () => (mon3.attentions(10002).length > 0 ? true : undefined), 5000);
    expect(mon3.attentions(10002)).toEqual([2]); // REBOOT, not DUMP
    expect((await c.actions(2)).filter((a) => a === "nmi" || a === "reset")).toEqual(["nmi", "reset"]);
  }, 30_000);
});

describe.skipIf(!BUILT)("attack C3: forged fence_kdump notice (key required)", () => {
  let c: Cluster;
  const key: RawKey = { id: 4, secret: randomBytes(32) };
  beforeAll(async () => {
    c = await cluster("atk-kdump", "127.0.84.2", 40, { key, kdump: true, servers: 4 });
  }, 120_000);
  afterAll(async () => {
    await c?.stop();
  });

  const kdump = () => ({ address: c.connector.address, port: c.kdumpPort! });

  it("control: the system's own kdump notice in its software-reset phase ends the reset (DUMP, no hardware reset)", async () => {
    const notifier = await RawUdp.open("127.0.84.42", 0); // PSERVER2's registered address
    const mon3 = c.monitors[2]!;
    await mon3.reset(10002, "PSERVER2", 40);
    await notifier.send(kdumpNotice("le"), kdump());
    expect(await mon3.result(40)).toBe(1);
    await waitFor("ATTENTION", () => (mon3.attentions(10002).length > 0 ? true : undefined), 5000);
    expect(mon3.attentions(10002)).toEqual([1]); // DUMP
    await sleep(1500); // past the hispeed time: still no hardware reset
    expect((await c.actions(2)).filter((a) => a === "nmi" || a === "reset")).toEqual(["nmi"]);
    notifier.close();
  }, 30_000);

  it("a kdump notice from the registered address with no reset in progress does nothing", async () => {
    const spoofer = await RawUdp.open("127.0.84.41", 0); // PSERVER1's registered address, another port
    await spoofer.send(kdumpNotice("le"), kdump());
    await spoofer.send(kdumpNotice("be"), kdump());
    await sleep(1500);
    spoofer.close();
    for (const m of c.monitors) expect(m.attentions(10001), `ATTENTION to ${m.system}`).toEqual([]);
    const mon3 = c.monitors[2]!;
    await mon3.reset(10001, "PSERVER1", 41);
    await bmcDid(c, 1, "nmi");
    await bmcDid(c, 1, "reset");
    expect(await mon3.result(41)).toBe(1);
    expect((await c.actions(1)).filter((a) => a === "nmi" || a === "reset")).toEqual(["nmi", "reset"]);
  }, 30_000);

  it("during a reset: a kdump notice from an unregistered address does not cancel the hardware reset", async () => {
    const attacker = await RawUdp.open(ATTACKER, 0);
    const mon4 = c.monitors[3]!;
    await mon4.reset(10003, "PSERVER3", 42);
    for (let i = 0; i < 3; i++) {
      await attacker.send(kdumpNotice("le"), kdump());
      await sleep(150);
    }
    attacker.close();
    await bmcDid(c, 3, "reset");
    expect(await mon4.result(42)).toBe(1);
    await waitFor("ATTENTION", () => (mon4.attentions(10003).length > 0 ? true : undefined), 5000);
    expect(mon4.attentions(10003)).toEqual([2]); // REBOOT
  }, 30_000);
});
