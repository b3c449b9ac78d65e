// Issue 17 row C4, on two real haconnd on loopback, attacked with the independent raw client
// (tools/lab/src/attacker/duplex-raw.ts): an unprivileged process on the standby host connects to
// the active's duplex port from the standby's duplex address. Before the v2 handshake it was sent
// HELLO and the full SNAPSHOT, displaced the real standby's stream (which the standby read as the
// active's death: it fenced the healthy active), and with no standby connected it received the
// whole configuration, every password in clear, from `haconnact copy`. Now it gets nothing,
// displaces nothing, and nobody is fenced. Addresses: 127.0.61.x (the iLO simulators on 127.0.0.1).

import { execFile } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DX, DX_TYPE, dxBody, dxFrame, RawTcp } from "../attacker/duplex-raw.js";
import { parseRawKeyFile } from "../attacker/frame-raw.js";
import { IpmiSim } from "../ipmi-sim/index.js";
import {
  BUILT,
  cli,
  type DaemonProcess,
  freeUdpPort,
  type LabDirs,
  labDirs,
  REPO,
  removeDirs,
  startDaemon,
  waitFor,
} from "./harness.js";
import { pairRoles } from "./pair-roles.js";

// ipmi_sim's password: it is in the configuration as every BMC password is.
const PW = "haconn-sim-pw1";
const COMMUNITY = "c4CommunitySecret61";
const NODES = ["HACON1", "HACON2"] as const;
type NodeName = (typeof NODES)[number];
const MLAN: Record<NodeName, string> = { HACON1: "127.0.61.11", HACON2: "127.0.61.12" };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tryCli(dirs: LabDirs, command: string, args: string[]) {
  return new Promise<{ code: number; out: string }>((resolve) => {
    const child = execFile(
      join(REPO, "bin", command),
      args,
      { env: dirs.env, encoding: "utf8", timeout: 30_000 },
      (e, so, se) => resolve({ code: e ? (typeof e.code === "number" ? e.code : -1) : 0, out: `${so}${se}` }),
    );
    child.stdin?.end();
  });
}

const eventLog = (d: LabDirs) =>
  readdirSync(d.log)
    .filter((n) => /^(eventlog|errlog)\d+$/.test(n))
    .map((n) => readFileSync(join(d.log, n), "utf8"))
    .join("\n");

describe.skipIf(!BUILT)("attack on the duplex link (C4): a local process on the standby host", () => {
  let shared: LabDirs;
  const node = {} as Record<NodeName, { dirs: LabDirs; proc?: DaemonProcess }>;
  const ilo = {} as Record<NodeName, IpmiSim>;
  let mlanPort: number;
  const attackers: RawTcp[] = [];

  const { status, roleOf, settled } = pairRoles((n) => node[n].dirs);
  const fenceActions = async (n: NodeName) =>
    (await ilo[n].actions()).map((a) => a.action).filter((a) => a === "reset" || a === "off" || a === "nmi");
  /** A raw connection to `target`'s duplex port from the other node's duplex address. */
  const attack = async (target: NodeName) => {
    const from = MLAN[target === "HACON1" ? "HACON2" : "HACON1"];
    const c = await RawTcp.connect({ address: MLAN[target], port: mlanPort }, from);
    attackers.push(c);
    return c;
  };

  beforeAll(async () => {
    shared = labDirs("atkdx");
    [ilo.HACON1, ilo.HACON2] = await Promise.all([IpmiSim.start({}), IpmiSim.start({})]);
    const resetPort = await freeUdpPort("127.0.61.1");
    mlanPort = await freeUdpPort(MLAN.HACON1);
    cli(shared, "haconnsetup", ["resetpath", "addr=127.0.61.1/8", `port=${resetPort}`]);
    cli(shared, "haconnsetup", ["snmp"], COMMUNITY);
    for (const n of NODES) {
      cli(
        shared,
        "haconnsetup",
        ["mserver", "add", n, `addr=127.0.0.1:${ilo[n].port}`, "account=admin", "cipher=3"],
        PW,
      );
      cli(shared, "haconnsetup", ["mlan", n, `addr=${MLAN[n]}`, `port=${mlanPort}`]);
    }
    const key = Buffer.alloc(32, 0x61).toString("hex");
    writeFileSync(join(shared.etc, "duplex.key"), `1 ${key} send\n`, { mode: 0o600 });
    for (const n of NODES) {
      const d = labDirs(`atkdx-${n}`);
      d.env.HACONN_ETC_DIR = shared.etc;
      node[n] = { dirs: d };
    }
    await Promise.all(
      NODES.map(async (n) => {
        node[n].proc = await startDaemon(node[n].dirs, { HACONN_NODE_NAME: n });
      }),
    );
  }, 90_000);

  afterAll(async () => {
    for (const a of attackers) a.destroy();
    for (const n of NODES) await node[n]?.proc?.stop();
    await Promise.all(NODES.map((n) => ilo[n]?.stop()));
    for (const n of NODES) if (node[n]) removeDirs(node[n].dirs);
    if (shared) removeDirs(shared);
  });

  it("a raw connection from the standby's address gets no byte, displaces nothing, and nobody is fenced", async () => {
    const { active, standby } = await settled();
    const c = await attack(active);
    // Longer than the handshake timeout and several heartbeat miss counts.
    await sleep(3000);
    expect(c.bytes.length, `received ${c.frames.map((f) => f.type).join(",")}`).toBe(0);
    expect(c.closed).toBe(true); // dropped at the handshake timeout
    expect(await fenceActions(active), eventLog(node[standby].dirs)).toEqual([]);
    expect(roleOf(active)).toBe("active");
    expect(roleOf(standby)).toBe("standby");
    expect(NODES.map((n) => status(n).link)).toEqual(["OK", "OK"]);
    expect(node[active].proc!.child.exitCode).toBeNull();
  }, 60_000);

  it("a flood of connections and garbage from the standby's address changes nothing", async () => {
    const { active, standby } = await settled();
    const cs = await Promise.all(Array.from({ length: 24 }, () => attack(active)));
    for (const [i, c] of cs.entries()) c.write(Buffer.alloc(64 + i, 0x41));
    await sleep(2500);
    for (const c of cs) expect(c.bytes.length).toBe(0);
    expect(await fenceActions(active)).toEqual([]);
    expect(NODES.map((n) => status(n).link)).toEqual(["OK", "OK"]);
    // The refusals are logged, but not once per connection.
    const lines = eventLog(node[active].dirs)
      .split("\n")
      .filter((l) => l.includes("duplex connection dropped"));
    expect(lines.length).toBeLessThan(6);
    expect(roleOf(standby)).toBe("standby");
  }, 60_000);

  it("a peer speaking duplex version 1 (signed with the right key) is refused with a clear log line", async () => {
    const { active } = await settled();
    const key = parseRawKeyFile(readFileSync(join(shared.etc, "duplex.key"), "utf8"));
    const c = await attack(active);
    const peerId = active === "HACON1" ? 2 : 1;
    c.write(
      dxFrame({
        type: DX_TYPE.hello,
        requestId: 1,
        senderId: peerId,
        body: dxBody.hello({ role: 2, term: 1, node: active === "HACON1" ? "HACON2" : "HACON1" }),
        sign: { key },
      }),
    );
    expect(await c.closedWithin(3000)).toBe(true);
    expect(c.bytes.length).toBe(0);
    await waitFor(
      "version line",
      () => /speaks duplex protocol version 1/.test(eventLog(node[active].dirs)) || undefined,
      5000,
    );
    expect(DX).toBe(2);
  }, 30_000);

  it("with no standby connected, haconnact copy sends no configuration byte to the raw connection", async () => {
    const { active, standby } = await settled();
    await node[standby].proc!.stop();
    await waitFor("the active alone", () => (status(active).link !== "OK" ? true : undefined), 10_000);
    const c = await attack(active);
    const r = await tryCli(node[active].dirs, "haconnact", ["copy"]);
    await sleep(500);
    const got = c.bytes;
    expect(got.includes(PW), "a password on the wire").toBe(false);
    expect(got.includes(COMMUNITY), "the SNMP community on the wire").toBe(false);
    expect(got.length).toBe(0);
    expect(r.code, r.out).not.toBe(0); // NO_STANDBY: the raw connection is nobody's standby
    expect(roleOf(active)).toBe("active");
  }, 60_000);
});
