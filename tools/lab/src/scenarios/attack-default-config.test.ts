// Issue #17 row C1 and point 1, as an attacker on the reset-path LAN: a connector configured with
// the documented commands only (haconnsetup resetpath + pserver add, nothing about keys) against
// an independent client (tools/lab/src/attacker, raw bytes from docs/protocol.md). Two raw
// datagrams — a CHECK on a free slot, then a RESET of PSERVER1 — must not reach its BMC; the
// daemon must refuse to run without resetpath.key unless the operator's insecure switch is set,
// and then say so in status and in its start log. Loopback addresses 127.0.117.x.
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRawKeyFile } from "../attacker/frame-raw.js";
import { RawUdp, RP_TYPE, rpBody, rpFrame, rpParse } from "../attacker/reset-path-raw.js";
import { HamonSimMonitor } from "../hamon-sim/index.js";
import { IpmiSim } from "../ipmi-sim/index.js";
import {
  BUILT,
  cli,
  type DaemonProcess,
  freeUdpPort,
  type LabDirs,
  labDirs,
  removeDirs,
  runDaemonToExit,
  startDaemon,
  waitFor,
} from "./harness.js";

const PW = "haconn-sim-pw1";
const RP_ADDR = "127.0.117.1";

describe.skipIf(!BUILT)("attack C1: default configuration, attacker on the reset-path LAN", () => {
  let dirs: LabDirs;
  let bmc: IpmiSim;
  let daemon: DaemonProcess | undefined;
  let connector: { address: string; port: number };
  let nextId = 0x4100;
  let clusterPort: number;
  let monitor: HamonSimMonitor | undefined;

  const actions = async () => (await bmc.actions()).filter((a) => a.action === "nmi" || a.action === "reset");

  /**
   * The attack: from a free address on the cluster's port, CHECK as PSERVER2's monitor (a free
   * slot), then RESET PSERVER1 (whose real monitor is registered in that cluster).
   */
  async function twoDatagrams(from: string, sign?: Parameters<typeof rpFrame>[0]["sign"]) {
    const raw = await RawUdp.open(from, clusterPort);
    const check = rpFrame({
      type: RP_TYPE.check,
      requestId: nextId++,
      senderId: 10002,
      body: rpBody.check({ replyPort: clusterPort, system: "PSERVER2" }),
      ...(sign ? { sign } : {}),
    });
    const reset = rpFrame({
      type: RP_TYPE.reset,
      requestId: nextId++,
      senderId: 10002,
      body: rpBody.reset({ target: 10001, clusterPort, system: "PSERVER1" }),
      ...(sign ? { sign } : {}),
    });
    await raw.send(check, connector);
    await raw.waitFor((r) => r.frame?.type === RP_TYPE.checkReply, 500);
    await raw.send(reset, connector);
    return raw;
  }

  beforeAll(async () => {
    dirs = labDirs("atk-default");
    bmc = await IpmiSim.start({ nmi: true, password: PW });
    const port = await freeUdpPort(RP_ADDR);
    connector = { address: RP_ADDR, port };
    // Only the documented commands: no key is created or copied by hand.
    cli(dirs, "haconnsetup", ["resetpath", `addr=${RP_ADDR}/8`, `port=${port}`]);
    cli(
      dirs,
      "haconnsetup",
      ["pserver", "add", "PSERVER1", `addr=127.0.0.1:${bmc.port}`, "account=admin", "cipher=3"],
      PW,
    );
    cli(
      dirs,
      "haconnsetup",
      ["pserver", "add", "PSERVER2", "addr=127.0.0.1:9", "account=admin", "cipher=3"],
      PW,
    );
    daemon = await startDaemon(dirs);
    // PSERVER1's real HA monitor, given the key as docs/security.md says (the harness's registry).
    clusterPort = await freeUdpPort("127.0.117.21");
    monitor = await HamonSimMonitor.start({
      subsystem: 10001,
      systemName: "PSERVER1",
      connector,
      checkIntervalMs: 0,
      bind: { address: "127.0.117.21", port: clusterPort },
    });
    expect((await monitor.check())?.blockers.unknownSystem).toBe(false);
  }, 60_000);

  afterAll(async () => {
    await monitor?.stop();
    await daemon?.stop();
    await bmc?.stop();
    if (dirs) removeDirs(dirs);
  });

  it("the documented setup made resetpath.key, and haconnshow setting says so without its value", () => {
    const text = readFileSync(join(dirs.etc, "resetpath.key"), "utf8");
    const shown = cli(dirs, "haconnshow", ["setting"]);
    expect(shown).toContain("key file:present (key ids 1, send 1)");
    expect(shown).toContain("authentication:required");
    expect(shown).not.toContain(/[0-9a-f]{64}/.exec(text)![0]);
  });

  it("two unsigned raw datagrams (CHECK on a free slot, RESET) cause no BMC action and no reply", async () => {
    const raw = await twoDatagrams("127.0.117.66");
    await new Promise((r) => setTimeout(r, 1500));
    expect(await actions()).toEqual([]);
    expect(
      raw.received.filter(
        (r) => r.frame?.type === RP_TYPE.resetAccepted || r.frame?.type === RP_TYPE.resetResult,
      ),
    ).toEqual([]);
    raw.socket.close();
  }, 20_000);

  it("the same two datagrams signed with a wrong secret under key id 1 do nothing", async () => {
    const wrong = { key: { id: 1, secret: Buffer.alloc(32, 7) } };
    const raw = await twoDatagrams("127.0.117.67", wrong);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await actions()).toEqual([]);
    raw.socket.close();
  }, 20_000);

  it("control: the same two datagrams signed with the installed key do reset (the test can fail)", async () => {
    const key = parseRawKeyFile(readFileSync(join(dirs.etc, "resetpath.key"), "utf8"));
    const raw = await twoDatagrams("127.0.117.68", { key });
    const accepted = await raw.waitFor(
      (r) => r.frame?.type === RP_TYPE.resetAccepted || r.frame?.type === RP_TYPE.resetResult,
      5000,
    );
    expect(accepted?.frame?.type).toBe(RP_TYPE.resetAccepted);
    await waitFor("NMI on PSERVER1", async () => ((await actions()).length > 0 ? true : undefined), 10_000);
    const result = await raw.waitFor((r) => r.frame?.type === RP_TYPE.resetResult, 15_000);
    expect(result && rpParse.resetResult(result.frame!.body).target).toBe(10001);
    raw.socket.close();
  }, 30_000);

  it("without resetpath.key the daemon refuses to start (78); insecure=on starts it, shown in status and log", async () => {
    await monitor?.stop();
    monitor = undefined;
    await daemon?.stop();
    daemon = undefined;
    rmSync(join(dirs.etc, "resetpath.key"));
    const refused = await runDaemonToExit(dirs);
    expect(refused.code).toBe(78);
    expect(refused.out).toMatch(/resetpath\.key/);
    expect(refused.out).toMatch(/insecure=on/);
    expect(cli(dirs, "haconnshow", ["setting"])).toMatch(/authentication:none: haconnd refuses to start/);

    cli(dirs, "haconnsetup", ["resetpath", "insecure=on"]);
    daemon = await startDaemon(dirs);
    await waitFor(
      "the INSECURE start line",
      () =>
        daemon!.output.join("").includes("INSECURE: the reset path runs without resetpath.key") || undefined,
    );
    expect(cli(dirs, "haconnshow", ["status"])).toMatch(/reset path : INSECURE/);
    expect(JSON.parse(cli(dirs, "haconnshow", ["status", "--json"])).resetPathAuth).toBe("insecure");
    const eventlog = readFileSync(join(dirs.log, "eventlog1"), "utf8");
    expect(eventlog).toMatch(/INSECURE: the reset path runs without resetpath\.key/);
    expect(eventlog).toMatch(/"resetPathAuth":"insecure"/);
  }, 60_000);
});

describe.skipIf(!BUILT)("attack: the per-system monitor allow-list", () => {
  let dirs: LabDirs;
  let daemon: DaemonProcess | undefined;
  let connector: { address: string; port: number };

  beforeAll(async () => {
    dirs = labDirs("atk-allow");
    const port = await freeUdpPort("127.0.117.2");
    connector = { address: "127.0.117.2", port };
    cli(dirs, "haconnsetup", ["resetpath", "addr=127.0.117.2/8", `port=${port}`]);
    cli(
      dirs,
      "haconnsetup",
      ["pserver", "add", "PSERVER1", "addr=127.0.0.1:9", "account=admin", "cipher=3"],
      PW,
    );
    cli(dirs, "haconnsetup", ["hamonitor", "PSERVER1", "allow=127.0.117.31"]);
    daemon = await startDaemon(dirs);
  }, 60_000);

  afterAll(async () => {
    await daemon?.stop();
    if (dirs) removeDirs(dirs);
  });

  it("a signed CHECK from an address off the list gets nothing; from the listed address, a reply", async () => {
    const key = parseRawKeyFile(readFileSync(join(dirs.etc, "resetpath.key"), "utf8"));
    const check = (raw: RawUdp, id: number) =>
      rpFrame({
        type: RP_TYPE.check,
        requestId: id,
        senderId: 10001,
        body: rpBody.check({ replyPort: raw.port, system: "PSERVER1" }),
        sign: { key },
      });
    const outsider = await RawUdp.open("127.0.117.32");
    await outsider.send(check(outsider, 1), connector);
    expect(await outsider.waitFor((r) => r.frame?.type === RP_TYPE.checkReply, 1500)).toBeUndefined();
    const listed = await RawUdp.open("127.0.117.31");
    await listed.send(check(listed, 2), connector);
    expect(await listed.waitFor((r) => r.frame?.type === RP_TYPE.checkReply, 5000)).toBeDefined();
    const monitors = JSON.parse(cli(dirs, "haconnshow", ["hamonitor", "--json"])).physical as {
      ipAddress: string;
    }[];
    expect(monitors.map((m) => m.ipAddress)).not.toContain("127.0.117.32");
    outsider.socket.close();
    listed.socket.close();
  }, 20_000);
});
