// Issue 17 row M3 and the copy in clear, on two real haconnd on loopback with an eavesdropper:
// the standby (HACON2) reaches the active (HACON1) through a raw relay that records every byte
// both ways (its haconn.json names the relay as HACON1's duplex address; the relay connects on
// from HACON2's address, as a router on the duplex LAN would forward). Attacks, with the
// independent raw client (tools/lab/src/attacker/duplex-raw.ts):
//  - M3: the active→standby `COMMAND shutdown` is captured and sent to the active over a new
//    connection from the standby's address, after the standby's own captured opening frames.
//    Before the v2 handshake this stopped the active (exit 0): one key both ways, senderId never
//    checked, a fresh replay cache per connection. Now nothing happens.
//  - `haconnact copy` crosses the relay: no password or SNMP community byte on the wire.
//  - The stream cut on the wire (what a forged RST does), alone and with every reconnect refused
//    (the relay stops listening: the kernel answers each SYN with a RST, ECONNREFUSED, as a
//    forged RST to the SYN would) while heartbeats flow: the standby fences nobody. That is half
//    of kill -9's evidence and all an attacker who can sniff and inject can forge; the other half,
//    a missing heartbeat, needs one who can drop them. Negative control, last: the same with the
//    active frozen (its heartbeats stop too): the standby fences it after heartbeat × (missCount − 1).
// Addresses: 127.0.62.x (the iLO simulators on 127.0.0.1).

import { execFile } from "node:child_process";
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { createServer, type Server, type Socket, connect } from "node:net";
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DX_TYPE, RawTcp } from "../attacker/duplex-raw.js";
import { IpmiSim } from "../ipmi-sim/index.js";
import {
  BUILT,
  cli,
  type DaemonProcess,
  eventLines,
  freeUdpPort,
  type LabDirs,
  labDirs,
  REPO,
  removeDirs,
  startDaemon,
  waitFor,
} from "./harness.js";

const PW = "haconn-sim-pw1"; // ipmi_sim's password, in the configuration as every BMC password
const COMMUNITY = "m3CommunitySecret62";
const NODES = ["HACON1", "HACON2"] as const;
type NodeName = (typeof NODES)[number];
const MLAN: Record<NodeName, string> = { HACON1: "127.0.62.11", HACON2: "127.0.62.12" };
const RELAY = "127.0.62.31";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** haconnd's default timing: 200 ms heartbeats, 3 missed; one heartbeat less when corroborated. */
const HEARTBEAT_MS = 200;
const BUDGET_MS = HEARTBEAT_MS * 3;
const SHORT_BUDGET_MS = HEARTBEAT_MS * 2;

/** Our own connection to RELAY: the code it fails with (the refusal is real, not assumed). */
const connectError = () =>
  new Promise<string | undefined>((resolve) => {
    const c = connect({ host: RELAY, port: relayPort });
    c.once("connect", () => {
      c.destroy();
      resolve(undefined);
    });
    c.once("error", (e: NodeJS.ErrnoException) => resolve(e.code));
  });
let relayPort = 0;

/** Cuts a recorded byte stream into whole frames (v1: trailer when flags bit 0; v2 sealed: in bodyLength). */
function cutFrames(b: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (b.length - at >= 28) {
    const total = 28 + b.readUInt32BE(at + 8) + ((b[at + 5]! & 1) === 1 ? 44 : 0);
    if (b.length - at < total) break;
    out.push(b.subarray(at, at + total));
    at += total;
  }
  return out;
}

/** A TCP and UDP relay from RELAY to HACON1's duplex port, recording each connection both ways. */
class Relay {
  readonly conns: { toActive: Buffer[]; toStandby: Buffer[] }[] = [];
  private tcp: Server | undefined;
  private udp: UdpSocket | undefined;
  private readonly sockets: Socket[] = [];
  private port = 0;

  async start(port: number): Promise<void> {
    this.port = port;
    await this.listen();
    this.udp = createSocket("udp4");
    this.udp.on("message", (m) => this.udp!.send(m, port, MLAN.HACON1));
    await new Promise<void>((r) => this.udp!.bind(port, RELAY, () => r()));
  }

  /** Accepts (again) TCP connections on RELAY and relays each to HACON1. */
  async listen(): Promise<void> {
    const port = this.port;
    this.tcp = createServer((inbound) => {
      const rec = { toActive: [] as Buffer[], toStandby: [] as Buffer[] };
      this.conns.push(rec);
      const out = connect({ host: MLAN.HACON1, port, localAddress: MLAN.HACON2 });
      this.sockets.push(inbound, out);
      inbound.on("data", (d: Buffer) => {
        rec.toActive.push(d);
        out.write(d);
      });
      out.on("data", (d: Buffer) => {
        rec.toStandby.push(d);
        inbound.write(d);
      });
      const end = () => {
        inbound.destroy();
        out.destroy();
      };
      for (const s of [inbound, out]) {
        s.on("close", end);
        s.on("error", end);
      }
    });
    await new Promise<void>((r) => this.tcp!.listen(port, RELAY, () => r()));
  }

  /** Stops listening: each new connection to RELAY is refused by the kernel (ECONNREFUSED). */
  refuse(): void {
    this.tcp?.close();
    this.tcp = undefined;
  }

  /** Closes every relayed TCP connection (heartbeats keep flowing). */
  cutStreams(): void {
    for (const s of this.sockets) s.destroy();
  }

  toStandby(): Buffer {
    return Buffer.concat(this.conns.flatMap((c) => c.toStandby));
  }

  stop(): void {
    for (const s of this.sockets) s.destroy();
    this.tcp?.close();
    this.udp?.close();
  }
}

const eventLog = (d: LabDirs) =>
  readdirSync(d.log)
    .filter((n) => /^(eventlog|errlog)\d+$/.test(n))
    .map((n) => readFileSync(join(d.log, n), "utf8"))
    .join("\n");

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

describe.skipIf(!BUILT)("attack on the duplex link: captured frames (M3) and the copy on the wire", () => {
  const node = {} as Record<NodeName, { dirs: LabDirs; proc?: DaemonProcess }>;
  const ilo = {} as Record<NodeName, IpmiSim>;
  const relay = new Relay();
  let mlanPort: number;

  const status = (n: NodeName) =>
    JSON.parse(cli(node[n].dirs, "haconnshow", ["status", "--json"])) as {
      link: string;
      mservers: { name: string; role: string }[];
    };
  const roleOf = (n: NodeName) => {
    try {
      return status(n).mservers.find((m) => m.name === n)?.role;
    } catch {
      return undefined;
    }
  };
  /** Fencing actions (NMI, reset, off) the standby carried out on HACON1's iLO so far. */
  const fences = async () =>
    (await ilo.HACON1.actions())
      .map((a) => a.action)
      .filter((a) => a === "reset" || a === "off" || a === "nmi");
  const startStandby = async () => {
    node.HACON2.proc = await startDaemon(node.HACON2.dirs, { HACONN_NODE_NAME: "HACON2" });
    await waitFor("HACON2 standby", () => (roleOf("HACON2") === "standby" ? true : undefined), 30_000);
    await waitFor(
      "link OK on both",
      () => {
        try {
          return NODES.every((n) => status(n).link === "OK") || undefined;
        } catch {
          return undefined;
        }
      },
      20_000,
    );
  };

  beforeAll(async () => {
    [ilo.HACON1, ilo.HACON2] = await Promise.all([IpmiSim.start({}), IpmiSim.start({})]);
    for (const n of NODES) node[n] = { dirs: labDirs(`atkrp-${n}`) };
    const a = node.HACON1.dirs;
    const resetPort = await freeUdpPort("127.0.62.1");
    mlanPort = await freeUdpPort(MLAN.HACON1);
    relayPort = mlanPort;
    cli(a, "haconnsetup", ["resetpath", "addr=127.0.62.1/8", `port=${resetPort}`]);
    cli(a, "haconnsetup", ["snmp"], COMMUNITY);
    for (const n of NODES) {
      cli(
        a,
        "haconnsetup",
        ["mserver", "add", n, `addr=127.0.0.1:${ilo[n].port}`, "account=admin", "cipher=3"],
        PW,
      );
      cli(a, "haconnsetup", ["mlan", n, `addr=${MLAN[n]}`, `port=${mlanPort}`]);
    }
    writeFileSync(join(a.etc, "duplex.key"), `1 ${Buffer.alloc(32, 0x62).toString("hex")} send\n`, {
      mode: 0o600,
    });
    // HACON2's copy names the relay as HACON1's duplex address.
    mkdirSync(node.HACON2.dirs.etc, { recursive: true });
    cpSync(a.etc, node.HACON2.dirs.etc, { recursive: true });
    const file = join(node.HACON2.dirs.etc, "haconn.json");
    const cfg = JSON.parse(readFileSync(file, "utf8"));
    const h1 = cfg.mservers.find((m: { name: string }) => m.name === "HACON1");
    h1.mlan.addr = RELAY;
    writeFileSync(file, JSON.stringify(cfg, null, 2), { mode: 0o600 });
    await relay.start(mlanPort);
    node.HACON1.proc = await startDaemon(a, { HACONN_NODE_NAME: "HACON1" });
    await waitFor("HACON1 active", () => (roleOf("HACON1") === "active" ? true : undefined), 30_000);
    await startStandby();
  }, 120_000);

  afterAll(async () => {
    for (const n of NODES) await node[n]?.proc?.stop();
    relay.stop();
    await Promise.all(NODES.map((n) => ilo[n]?.stop()));
    for (const n of NODES) if (node[n]) removeDirs(node[n].dirs);
  });

  it("a stream cut on the wire while heartbeats flow: the standby reconnects and fences nobody", async () => {
    const before = relay.conns.length;
    relay.cutStreams(); // what a forged RST does
    await waitFor(
      "a new stream through the relay",
      () => (relay.conns.length > before ? true : undefined),
      10_000,
    );
    await sleep(2000); // several heartbeat miss counts
    const fenced = (await ilo.HACON1.actions())
      .map((a) => a.action)
      .filter((a) => a === "reset" || a === "off" || a === "nmi");
    expect(fenced, eventLog(node.HACON2.dirs)).toEqual([]);
    expect(roleOf("HACON1")).toBe("active");
    expect(roleOf("HACON2")).toBe("standby");
    await waitFor("link OK on both", () => NODES.every((n) => status(n).link === "OK") || undefined, 10_000);
  }, 60_000);

  it("a stream cut and every reconnect refused while heartbeats flow: still nobody fenced", async () => {
    const before = await fences();
    relay.refuse(); // a forged RST to each SYN looks the same to the standby: ECONNREFUSED
    relay.cutStreams();
    try {
      expect(await connectError()).toBe("ECONNREFUSED");
      await waitFor(
        "the standby's reconnect refused",
        () => eventLines(node.HACON2.dirs, "refused (nobody listens on its port)").length > 0 || undefined,
        10_000,
      );
      // Both halves of kill -9's evidence, repeated (a reconnect a second), for over twice the
      // budget: the heartbeats that keep arriving cancel them every time.
      await sleep(Math.max(3000, 2 * BUDGET_MS));
      expect(await connectError()).toBe("ECONNREFUSED");
      expect(await fences(), eventLog(node.HACON2.dirs)).toEqual(before);
      expect(eventLines(node.HACON2.dirs, "fencing it before taking over")).toEqual([]);
      expect(roleOf("HACON1")).toBe("active");
      expect(roleOf("HACON2")).toBe("standby");
    } finally {
      await relay.listen();
    }
    await waitFor("link OK on both", () => NODES.every((n) => status(n).link === "OK") || undefined, 15_000);
  }, 60_000);

  it("M3: a captured active→standby COMMAND shutdown sent back to the active changes nothing", async () => {
    expect(relay.conns.length).toBeGreaterThan(0); // the stream really crosses the relay
    const r = await tryCli(node.HACON1.dirs, "haconnsby", ["shutdown"]);
    expect(r.code, r.out).toBe(0);
    await waitFor(
      "the standby stopped",
      () => (node.HACON2.proc!.child.exitCode !== null ? true : undefined),
      15_000,
    );
    const conn = relay.conns.at(-1)!;
    const fromActive = cutFrames(Buffer.concat(conn.toStandby));
    const fromStandby = cutFrames(Buffer.concat(conn.toActive));
    const commands = fromActive.filter((f) => f[4] === DX_TYPE.command);
    expect(commands.length, "the shutdown COMMAND was captured").toBeGreaterThan(0);
    // Replay: the standby's opening frames (its handshake or HELLO), then the active's COMMAND.
    const opening = fromStandby.filter((f) => f[4] !== DX_TYPE.command && f[4] !== DX_TYPE.commandResult);
    for (const frames of [[...opening, ...commands], commands]) {
      // (Before the fix the first replay already stopped the active: the second finds no port.)
      const c = await RawTcp.connect({ address: MLAN.HACON1, port: mlanPort }, MLAN.HACON2).catch(
        () => undefined,
      );
      for (const f of frames) c?.write(f);
      await c?.closedWithin(2500);
      c?.destroy();
    }
    await sleep(1000);
    expect(node.HACON1.proc!.child.exitCode, eventLog(node.HACON1.dirs)).toBeNull();
    expect(eventLog(node.HACON1.dirs)).not.toContain("shutdown asked by the peer");
    expect(roleOf("HACON1")).toBe("active");
  }, 60_000);

  it("haconnact copy crosses the wire without a password or community byte in clear", async () => {
    if (node.HACON1.proc!.child.exitCode !== null) {
      // Only after a failed M3 (the replay stopped the active): bring the pair back first.
      node.HACON1.proc = await startDaemon(node.HACON1.dirs, { HACONN_NODE_NAME: "HACON1" });
      await waitFor("HACON1 active", () => (roleOf("HACON1") === "active" ? true : undefined), 30_000);
    }
    if (node.HACON2.proc!.child.exitCode !== null) await startStandby();
    const before = relay.toStandby().length;
    const r = await tryCli(node.HACON1.dirs, "haconnact", ["copy"]);
    expect(r.code, r.out).toBe(0);
    await sleep(500);
    const wire = relay.toStandby().subarray(before);
    expect(wire.length).toBeGreaterThan(200); // the configuration went through
    expect(wire.includes(PW), "the BMC password in clear").toBe(false);
    expect(wire.includes(COMMUNITY), "the SNMP community in clear").toBe(false);
    expect(wire.includes("HACON2"), "configuration text in clear").toBe(false);
  }, 60_000);
  it("negative control: the same cut and refusals with the active frozen: fenced after heartbeat × (missCount − 1)", async () => {
    if (node.HACON2.proc!.child.exitCode !== null) await startStandby();
    await waitFor("link OK on both", () => NODES.every((n) => status(n).link === "OK") || undefined, 15_000);
    const before = (await fences()).length;
    const active = node.HACON1.proc!.child;
    active.kill("SIGSTOP"); // its heartbeats stop: what only an attacker who drops them can forge
    try {
      await sleep(20);
      relay.refuse();
      relay.cutStreams();
      await waitFor(
        "HACON2 fences HACON1",
        async () => ((await fences()).length > before ? true : undefined),
        20_000,
      );
      const [line] = eventLines(node.HACON2.dirs, "fencing it before taking over");
      expect(line?.msg, eventLog(node.HACON2.dirs)).toContain(
        "heartbeat timeout, stream closed and reconnect refused",
      );
      expect(line?.budgetMs).toBe(SHORT_BUDGET_MS);
      process.stdout.write(
        `negative control: fenced after ${line?.silentMs} ms of silence (budget ${line?.budgetMs} ms)\n`,
      );
      // Decided before the full budget would have run out (the daemon's own silence figure).
      expect(line?.silentMs).toBeGreaterThan(SHORT_BUDGET_MS);
      expect(line?.silentMs).toBeLessThan(BUDGET_MS);
    } finally {
      active.kill("SIGCONT");
      await relay.listen();
    }
  }, 60_000);
});
