// Abuse of a real built haconnd on loopback (127.0.95.x): an attacker on the reset-path network
// who can send from any address. With a reset-path key, forged, replayed and altered RESETs are
// dropped and counted and ipmi_sim sees nothing; without a key, a RESET counts only from the
// registered address of a registered HA monitor of the same cluster. No secret in argv, in
// other processes' environments, logs, haconndump archives or world-readable files. The control
// socket and the commands refuse a non-root caller.
import { execFileSync, spawnSync } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  createAuthKey,
  decodeResetPath,
  encodeResetPath,
  formatKeyFile,
  generateAuthKey,
  type KeyRing,
  ReplayCache,
  type ResetPathMessage,
} from "@haconn/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HamonSimMonitor } from "../hamon-sim/index.js";
import { IpmiSim } from "../ipmi-sim/index.js";
import {
  BUILT,
  cli,
  type DaemonProcess,
  dumpState,
  freeUdpPort,
  type LabDirs,
  labDirs,
  REPO,
  removeDirs,
  startDaemon,
  waitFor,
} from "./harness.js";

const PW = "Sec95-bmc-Pw7q";
const COMMUNITY = "sec95community9";

/** An attacker's socket: sends raw bytes from a chosen address and port, collects replies. */
class Raw {
  readonly replies: Buffer[] = [];
  private constructor(readonly socket: Socket) {
    socket.on("message", (m) => this.replies.push(m));
  }
  static async open(address: string, port = 0): Promise<Raw> {
    const s = createSocket({ type: "udp4", reuseAddr: false });
    await new Promise<void>((r) => s.bind(port, address, () => r()));
    return new Raw(s);
  }
  send(bytes: Uint8Array, to: { address: string; port: number }): Promise<void> {
    return new Promise((r) => this.socket.send(bytes, to.port, to.address, () => r()));
  }
  decoded(key?: KeyRing): ResetPathMessage[] {
    const auth = key ? { keys: key.keys, require: true, replay: new ReplayCache() } : undefined;
    return this.replies.flatMap((b) => {
      const d = decodeResetPath(b, { now: Date.now(), ...(auth ? { auth } : {}) });
      return d.ok ? [d.value] : [];
    });
  }
  close(): void {
    this.socket.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function reset(
  requester: number,
  target: number,
  system: string,
  clusterPort: number,
  requestId: number,
  ts = Date.now(),
): ResetPathMessage {
  return {
    type: "reset",
    header: { requestId, senderId: requester, timestampMs: ts, attempt: 0 },
    body: { targetSubsystem: target, clusterPort, targetSystemName: system },
  };
}

/** Every file under a directory, recursively. */
function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

const nobody = (argv: string[], env: NodeJS.ProcessEnv) =>
  spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", ...argv], {
    env,
    encoding: "utf8",
    timeout: 20_000,
  });

describe.skipIf(!BUILT)("security: reset path with a key", () => {
  let dirs: LabDirs;
  let daemon: DaemonProcess;
  let key: KeyRing;
  const bmc: Record<string, IpmiSim> = {};
  let mon1: HamonSimMonitor;
  let mon2: HamonSimMonitor;
  let connector: { address: string; port: number };
  let clusterPort: number;
  const children: { argv: string[]; environ: string }[] = [];
  let sampler: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    dirs = labDirs("sec-key");
    [bmc.PSERVER1, bmc.PSERVER2] = await Promise.all([
      IpmiSim.start({ nmi: true, password: PW }),
      IpmiSim.start({ nmi: true, password: PW }),
    ]);
    const port = await freeUdpPort("127.0.95.1");
    connector = { address: "127.0.95.1", port };
    cli(dirs, "haconnsetup", ["resetpath", "addr=127.0.95.1/8", `port=${port}`]);
    for (const name of ["PSERVER1", "PSERVER2"]) {
      cli(
        dirs,
        "haconnsetup",
        [
          "pserver",
          "add",
          name,
          `addr=127.0.0.1:${bmc[name]!.port}`,
          "account=admin",
          "cipher=3",
          "cluster=on",
        ],
        PW,
      );
    }
    cli(dirs, "haconnsetup", ["snmp"], COMMUNITY);
    const k = generateAuthKey(1);
    key = { keys: [k], send: k };
    writeFileSync(join(dirs.etc, "resetpath.key"), formatKeyFile(key), { mode: 0o600 });
    daemon = await startDaemon(dirs);
    clusterPort = await freeUdpPort("127.0.95.21");
    const mk = (subsystem: number, systemName: string, address: string, pair: number) =>
      HamonSimMonitor.start({
        subsystem,
        systemName,
        pairSubsystem: pair,
        connector,
        checkIntervalMs: 0,
        key,
        bind: { address, port: clusterPort },
      });
    mon1 = await mk(10001, "PSERVER1", "127.0.95.21", 10002);
    mon2 = await mk(10002, "PSERVER2", "127.0.95.22", 10001);
    expect((await mon1.check())?.blockers.unknownSystem).toBe(false);
    expect((await mon2.check())?.blockers.unknownSystem).toBe(false);
    // Sample every process that runs while the test runs (ipmitool children included).
    sampler = setInterval(() => {
      for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
        try {
          const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
          if (!argv[0]?.includes("ipmitool") && !argv[0]?.includes("snmp")) continue;
          children.push({ argv, environ: readFileSync(`/proc/${pid}/environ`, "utf8") });
        } catch {
          // gone
        }
      }
    }, 15);
  }, 120_000);

  afterAll(async () => {
    if (sampler) clearInterval(sampler);
    await mon1?.stop();
    await mon2?.stop();
    await daemon?.stop();
    await Promise.all(Object.values(bmc).map((b) => b.stop()));
    if (dirs) removeDirs(dirs);
  });

  const actions = async () =>
    [...(await bmc.PSERVER1!.actions()), ...(await bmc.PSERVER2!.actions())].map((a) => a.action);

  it("refuses and counts forged and altered RESETs; nothing is reset", async () => {
    const before = (await dumpState(dirs)).drops!;
    const wrong = createAuthKey(1, new Uint8Array(32).fill(7));
    const other = generateAuthKey(9);
    const m = reset(10001, 10002, "PSERVER2", clusterPort, 4242);
    const genuine = encodeResetPath(m, { auth: { key: key.send } });
    const altered = genuine.slice();
    altered[31] = 0x13; // targetSubsystem 10002 -> another value, tag kept
    const stripped = encodeResetPath(m); // no trailer at all
    // From the registered requester's own address and from a stranger's.
    for (const from of ["127.0.95.21", "127.0.95.66"]) {
      const raw = await Raw.open(from);
      await raw.send(stripped, connector);
      await raw.send(encodeResetPath(m, { auth: { key: wrong } }), connector);
      await raw.send(encodeResetPath(m, { auth: { key: other } }), connector);
      await raw.send(altered, connector);
      await sleep(300);
      expect(raw.replies).toEqual([]); // dropping is silent
      raw.close();
    }
    const after = (await dumpState(dirs)).drops!;
    expect(after.unauthenticated - before.unauthenticated).toBe(2);
    expect(after["bad-mac"] - before["bad-mac"]).toBe(4);
    expect(after["unknown-key"] - before["unknown-key"]).toBe(2);
    expect(await actions()).toEqual([]);
  });

  it("a genuine signed RESET works once; its replays and a stale copy are refused and counted", async () => {
    const genuine = encodeResetPath(reset(10001, 10002, "PSERVER2", clusterPort, 5151), {
      auth: { key: key.send },
    });
    const stale = encodeResetPath(reset(10001, 10002, "PSERVER2", clusterPort, 5152, Date.now() - 120_000), {
      auth: { key: key.send },
    });
    const requester = await Raw.open("127.0.95.21");
    await requester.send(genuine, connector);
    await waitFor("RESET-ACCEPTED", () =>
      requester.decoded(key).find((r) => r.type === "reset-accepted" || r.type === "reset-result"),
    );
    await waitFor("NMI", async () => ((await actions()).includes("nmi") ? true : undefined));
    const before = (await dumpState(dirs)).drops!;
    const attacker = await Raw.open("127.0.95.66");
    for (let i = 0; i < 5; i++) await attacker.send(genuine, connector);
    await requester.send(genuine, connector); // even from the requester's address: same tag
    await attacker.send(stale, connector);
    await sleep(500);
    const after = (await dumpState(dirs)).drops!;
    expect(after.replay - before.replay).toBe(6);
    expect(after.stale - before.stale).toBe(1);
    expect(attacker.replies).toEqual([]);
    expect((await actions()).filter((a) => a === "nmi")).toHaveLength(1);
    attacker.close();
    requester.close();
  }, 30_000);

  it("puts no secret in argv, other processes' environments, logs, haconndump or world-readable files", async () => {
    const keyHex = Buffer.from(key.send.secret).toString("hex");
    const secrets = [PW, COMMUNITY, keyHex];
    const leaks = (text: string) => secrets.filter((s) => text.includes(s));
    // haconnd's own argv and environment
    // bin/haconnd execs node: the child is the daemon itself
    expect(readFileSync(`/proc/${daemon.child.pid}/cmdline`, "utf8")).toContain("haconnd.js");
    for (const p of [daemon.child.pid!]) {
      expect(leaks(readFileSync(`/proc/${p}/cmdline`, "utf8"))).toEqual([]);
      expect(leaks(readFileSync(`/proc/${p}/environ`, "utf8"))).toEqual([]);
    }
    // every ipmitool/snmp child seen during the resets: nothing in argv; the password only in
    // the environment of an ipmitool that haconnd started (ipmitool -E), nowhere else
    expect(children.length).toBeGreaterThan(0);
    for (const c of children) {
      expect(leaks(c.argv.join(" ")), c.argv.join(" ")).toEqual([]);
      if (!c.argv[0]!.includes("ipmitool")) expect(leaks(c.environ)).toEqual([]);
    }
    // every other process on the machine right now
    for (const p of readdirSync("/proc").filter((x) => /^\d+$/.test(x))) {
      try {
        const argv = readFileSync(`/proc/${p}/cmdline`, "utf8");
        if (argv.startsWith("ipmitool") || argv.includes("/ipmitool")) continue;
        expect(leaks(argv), `argv of ${p}`).toEqual([]);
        expect(leaks(readFileSync(`/proc/${p}/environ`, "utf8")), `environment of ${p}: ${argv}`).toEqual([]);
      } catch (error) {
        // gone meanwhile, or outside what this container lets even root read
        if (!["ENOENT", "ESRCH", "EACCES", "EPERM"].includes((error as NodeJS.ErrnoException).code ?? ""))
          throw error;
      }
    }
    // logs
    for (const f of files(dirs.log)) expect(leaks(readFileSync(f, "latin1")), f).toEqual([]);
    // haconndump: unpack and read every file
    cli(dirs, "haconndump", []);
    const archive = readdirSync(dirs.log).find((f) => /^HaConnectorDump\..*\.tar\.gz$/.test(f));
    expect(archive).toBeDefined();
    expect(statSync(join(dirs.log, archive!)).mode & 0o077).toBe(0);
    const out = join(dirs.root, "unpacked");
    execFileSync("mkdir", ["-p", out]);
    execFileSync("tar", ["-xzf", join(dirs.log, archive!), "-C", out]);
    const unpacked = files(out);
    expect(unpacked.length).toBeGreaterThan(3);
    for (const f of unpacked) expect(leaks(readFileSync(f, "latin1")), f).toEqual([]);
    // world-readable files under etc, log, run: none holds a secret
    for (const dir of [dirs.etc, dirs.log, dirs.run]) {
      for (const f of files(dir)) {
        if ((statSync(f).mode & 0o004) === 0) continue;
        expect(leaks(readFileSync(f, "latin1")), `world-readable ${f}`).toEqual([]);
      }
    }
    expect(statSync(join(dirs.etc, "resetpath.key")).mode & 0o077).toBe(0);
  }, 60_000);

  it("the control socket and the commands refuse a non-root caller", () => {
    const sock = join(dirs.run, "haconnd.sock");
    expect(statSync(sock).mode & 0o777).toBe(0o600);
    expect(statSync(dirs.run).mode & 0o777).toBe(0o700);
    const node = join(REPO, ".tools/node/node_modules/.bin/node");
    const probe = nobody(
      [
        node,
        "-e",
        "require('net').connect(process.argv[1]).on('connect',()=>{console.log('connected');process.exit(0)}).on('error',e=>{console.log(e.code);process.exit(1)})",
        sock,
      ],
      { PATH: "/usr/bin:/bin" },
    );
    expect(probe.stdout.trim()).toMatch(/EACCES|EPERM/);
    for (const [command, args] of [
      ["haconnshow", ["status"]],
      ["haconnact", ["copy"]],
      ["haconnserver", ["acrecovery", "PSERVER1"]],
      ["haconnsetup", ["snmp"]],
    ] as const) {
      const r = nobody([join(REPO, "bin", command), ...args], { ...dirs.env });
      expect(r.stderr, command).toContain(`${command}: must be run as root`);
      expect(r.status, command).toBe(2);
    }
  });
});

describe.skipIf(!BUILT)("security: reset path without a key", () => {
  let dirs: LabDirs;
  let daemon: DaemonProcess;
  const bmc: Record<string, IpmiSim> = {};
  const mon: HamonSimMonitor[] = [];
  let connector: { address: string; port: number };
  let portA: number;
  let portB: number;

  beforeAll(async () => {
    dirs = labDirs("sec-nokey");
    [bmc.PSERVER1, bmc.PSERVER2, bmc.PSERVER3] = await Promise.all([
      IpmiSim.start({ nmi: true, password: PW }),
      IpmiSim.start({ nmi: true, password: PW }),
      IpmiSim.start({ nmi: true, password: PW }),
    ]);
    const port = await freeUdpPort("127.0.95.2");
    connector = { address: "127.0.95.2", port };
    // Deliberately insecure (the explicit switch): this block checks the address rules alone.
    cli(dirs, "haconnsetup", ["resetpath", "addr=127.0.95.2/8", `port=${port}`, "insecure=on"]);
    for (const name of ["PSERVER1", "PSERVER2", "PSERVER3"]) {
      cli(
        dirs,
        "haconnsetup",
        ["pserver", "add", name, `addr=127.0.0.1:${bmc[name]!.port}`, "account=admin", "cipher=3"],
        PW,
      );
    }
    daemon = await startDaemon(dirs);
    portA = await freeUdpPort("127.0.95.31");
    portB = await freeUdpPort("127.0.95.41");
    for (const [sub, system, address, p] of [
      [10001, "PSERVER1", "127.0.95.31", portA],
      [10002, "PSERVER2", "127.0.95.32", portA],
      [20001, "PSERVER3", "127.0.95.41", portB],
    ] as const) {
      const m = await HamonSimMonitor.start({
        subsystem: sub,
        systemName: system,
        connector,
        checkIntervalMs: 0,
        bind: { address, port: p },
      });
      expect((await m.check())?.blockers.unknownSystem).toBe(false);
      mon.push(m);
    }
  }, 120_000);

  afterAll(async () => {
    for (const m of mon) await m.stop();
    await daemon?.stop();
    await Promise.all(Object.values(bmc).map((b) => b.stop()));
    if (dirs) removeDirs(dirs);
  });

  const nmis = async () =>
    (await Promise.all(Object.values(bmc).map((b) => b.actions())))
      .flat()
      .filter((a) => a.action === "nmi" || a.action === "reset");

  /** Sends one RESET from an address (and port) and returns the connector's RESET-RESULT. */
  async function attempt(from: string, fromPort: number, m: ResetPathMessage) {
    const raw = await Raw.open(from, fromPort);
    await raw.send(encodeResetPath(m), connector);
    const answer = await waitFor(
      "an answer",
      () => raw.decoded().find((r) => r.type === "reset-result" || r.type === "reset-accepted"),
      5000,
    );
    raw.close();
    return answer;
  }

  it("refuses a RESET from an unregistered address, even with a registered subsystem number and port", async () => {
    for (const from of ["127.0.95.66", "127.0.95.67"]) {
      for (const fromPort of [0, portA]) {
        const a = await attempt(
          from,
          fromPort,
          reset(10001, 10002, "PSERVER2", portA, 600 + (fromPort % 97)),
        );
        expect(a.type, `${from}:${fromPort}`).toBe("reset-result");
        expect(a.type === "reset-result" && a.body.result, `${from}:${fromPort}`).toBe("ERROR");
      }
    }
    expect(await nmis()).toEqual([]);
  });

  it("refuses a RESET from another cluster's registered monitor", async () => {
    // PSERVER3's monitor (cluster port B) asks for PSERVER2 (registered in cluster A).
    const a = await attempt("127.0.95.41", 0, reset(20001, 10002, "PSERVER2", portB, 777));
    expect(a.type === "reset-result" && a.body.result).toBe("ERROR");
    const b = await attempt("127.0.95.41", 0, reset(20001, 10002, "PSERVER2", portA, 778));
    expect(b.type === "reset-result" && b.body.result).toBe("ERROR");
    await sleep(300);
    expect(await nmis()).toEqual([]);
  });

  it("accepts the same RESET from the registered monitor's address (the control case)", async () => {
    const a = await attempt("127.0.95.31", 0, reset(10001, 10002, "PSERVER2", portA, 901));
    expect(a.type).toBe("reset-accepted");
    await waitFor("NMI on PSERVER2", async () =>
      (await bmc.PSERVER2!.actions()).some((x) => x.action === "nmi") ? true : undefined,
    );
  }, 20_000);
});
