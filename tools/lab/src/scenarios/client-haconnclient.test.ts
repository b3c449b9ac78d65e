// @haconn/client and the haconnclient command against a real haconnd (built, configured with
// haconnsetup, key mode) and ipmi_sim BMCs with the NMI module. Addresses: 127.0.180.0/24
// (connector at .1, monitors at .21..26). Issue 18 points 1 and 2.
import { execFile } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type AttentionBody, HaconnClient, loadKeyFile } from "@haconn/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IpmiSim } from "../ipmi-sim/index.js";
import {
  BUILT,
  cli,
  type DaemonProcess,
  dumpState,
  freeUdpPort,
  type LabDirs,
  labDirs,
  labResetKeyFile,
  REPO,
  removeDirs,
  startDaemon,
  waitFor,
} from "./harness.js";

const NET = "127.0.180";
const PW = "Cli180-bmc-Pw7";
const READY = BUILT && existsSync(join(REPO, "apps/cli/dist/haconnclient.js"));
const SYSTEMS = ["PSERVER1", "PSERVER2", "PSERVER3", "PSERVER4", "PSERVER5", "PSERVER6"] as const;
type System = (typeof SYSTEMS)[number];
const sub = (s: System) => 10000 + Number(s.slice(-1));
const addr = (s: System) => `${NET}.2${s.slice(-1)}`;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs bin/haconnclient without blocking this process (its clients keep answering meanwhile). */
function haconnclient(args: string[], timeoutMs = 60_000): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(join(REPO, "bin", "haconnclient"), args, { timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error ? ((error as { code?: number }).code ?? null) : 0;
      resolve({ code: typeof code === "number" ? code : null, stdout, stderr, ms: Date.now() - started });
    });
  });
}

describe.skipIf(!READY)("@haconn/client and haconnclient against haconnd + ipmi_sim", () => {
  let dirs: LabDirs;
  let daemon: DaemonProcess;
  const bmc = {} as Record<System, IpmiSim>;
  let connector: { address: string; port: number };
  let clusterPort: number;
  let keyFile: string;
  const clients = {} as Record<System, HaconnClient>;
  const heard = {} as Record<System, AttentionBody[]>;
  let common: string[];

  beforeAll(async () => {
    dirs = labDirs("client180");
    const sims = await Promise.all(SYSTEMS.map(() => IpmiSim.start({ nmi: true, password: PW })));
    SYSTEMS.forEach((s, i) => {
      bmc[s] = sims[i]!;
    });
    connector = { address: `${NET}.1`, port: await freeUdpPort(`${NET}.1`) };
    cli(dirs, "haconnsetup", ["resetpath", `addr=${connector.address}/8`, `port=${connector.port}`]);
    for (const s of SYSTEMS) {
      const extra = s === "PSERVER1" || s === "PSERVER2" ? ["cluster=on"] : [];
      cli(
        dirs,
        "haconnsetup",
        ["pserver", "add", s, `addr=127.0.0.1:${bmc[s].port}`, "account=admin", "cipher=3", ...extra],
        PW,
      );
    }
    // 3 s from the NMI to the hardware reset: room for the dump notice under load.
    cli(dirs, "haconnsetup", ["hispeed", "resettime=3000"]);
    keyFile = labResetKeyFile(dirs)!;
    daemon = await startDaemon(dirs);
    clusterPort = await freeUdpPort(`${NET}.21`);
    common = ["--connector", `${connector.address}:${connector.port}`, "--key-file", keyFile];
  }, 120_000);

  afterAll(async () => {
    for (const c of Object.values(clients)) c.close();
    await daemon?.stop();
    await Promise.all(Object.values(bmc).map((b) => b.stop()));
    if (dirs) removeDirs(dirs);
  });

  async function open(s: System): Promise<HaconnClient> {
    const c = await HaconnClient.open({
      connector,
      subsystem: sub(s),
      bind: { address: addr(s), port: clusterPort },
      keys: loadKeyFile(keyFile),
    });
    heard[s] = [];
    c.onAttention((a) => heard[s].push(a));
    clients[s] = c;
    return c;
  }

  const actions = async (s: System) => (await bmc[s].actions()).map((a) => a.action);

  it("package: CHECK registers and types the reply (signed, key mode)", async () => {
    for (const s of ["PSERVER1", "PSERVER2", "PSERVER3", "PSERVER6"] as const) {
      const pair = s === "PSERVER1" ? 10002 : s === "PSERVER2" ? 10001 : 0;
      const o = await (await open(s)).check({ systemName: s, pairSubsystem: pair }, { timeoutMs: 5000 });
      expect(o.reply).toMatchObject({
        role: "active",
        status: "normal",
        pairSubsystem: pair,
        responder: "HACON1",
      });
      expect(o.resettable).toBe(true);
      expect(o.reply.redundancy.standbyNotSynchronised).toBe(true); // running alone
    }
  });

  it("haconnclient check registers a system (exit 0, --json)", async () => {
    const r = await haconnclient([
      "check",
      ...common,
      "--subsystem",
      "10005",
      "--bind",
      `${addr("PSERVER5")}:${clusterPort}`,
      "--system",
      "PSERVER5",
      "--json",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      event: "check-reply",
      responder: "HACON1",
      role: "active",
      resettable: true,
      blockers: [],
    });
  });

  it("haconnclient check of a system the connector does not know: exit 4, the blocker named", async () => {
    const r = await haconnclient([
      "check",
      ...common,
      "--subsystem",
      "10009",
      "--bind",
      `${NET}.29`,
      "--system",
      "NOSUCH9",
    ]);
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/resettable no \(unknownSystem\)/);
  });

  it("haconnclient listen prints the ATTENTION of a reset in its cluster and acknowledges it", async () => {
    const listen = haconnclient([
      "listen",
      ...common,
      "--subsystem",
      "10005",
      "--bind",
      `${addr("PSERVER5")}:${clusterPort}`,
      "--system",
      "PSERVER5",
      "--count",
      "1",
      "--timeout",
      "40",
      "--json",
    ]);
    // PSERVER5 is registered at .25:clusterPort (the check above): the ATTENTION goes there,
    // repeated every 1 s for 10 s until acknowledged, so listen hears it whenever it is up.
    const o = await clients.PSERVER2.reset(
      { subsystem: 10006, systemName: "PSERVER6" },
      { timeoutMs: 30_000 },
    );
    expect(o.result).toEqual({ targetSubsystem: 10006, result: "DUMP", detail: "none" });
    const r = await listen;
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.find((l) => l.event === "check-reply")).toMatchObject({ role: "active" });
    expect(lines.filter((l) => l.event === "attention")).toEqual([
      expect.objectContaining({
        state: "REBOOT",
        targetSubsystem: 10006,
        targetSystemName: "PSERVER6",
        keyId: 1,
      }),
    ]);
    await waitFor("ATTENTION to PSERVER1 too", () => heard.PSERVER1.find((a) => a.targetSubsystem === 10006));
  }, 60_000);

  it("package: reset -> NMI at ipmi_sim -> hardware reset without a dump notice -> DUMP, ATTENTION REBOOT", async () => {
    const phases: string[] = [];
    const o = await clients.PSERVER1.reset(
      { subsystem: 10003, systemName: "PSERVER3" },
      { timeoutMs: 30_000, onAccepted: (a) => phases.push(a.phase) },
    );
    expect(o.result).toEqual({ targetSubsystem: 10003, result: "DUMP", detail: "none" });
    expect(o.sends).toBe(1);
    expect(phases[0]).toBe("softReset");
    expect(await actions("PSERVER3")).toEqual(expect.arrayContaining(["nmi", "reset"]));
    await waitFor("ATTENTION REBOOT", () => heard.PSERVER1.find((a) => a.targetSubsystem === 10003));
    expect(heard.PSERVER1.find((a) => a.targetSubsystem === 10003)?.state).toBe("REBOOT");
    expect(heard.PSERVER3.some((a) => a.targetSubsystem === 10003)).toBe(false); // not to the target itself
  }, 60_000);

  it("haconnclient reset + haconnclient dump-notice: the NMI's dump notice makes the result DUMP, no hardware reset", async () => {
    const c4 = await open("PSERVER4");
    await c4.check({ systemName: "PSERVER4" }, { timeoutMs: 5000 });
    const reset = haconnclient([
      "reset",
      ...common,
      "--subsystem",
      "10005",
      "--bind",
      `${addr("PSERVER5")}:${clusterPort}`,
      "--target",
      "10004",
      "--target-system",
      "PSERVER4",
      "--timeout",
      "30",
    ]);
    await waitFor(
      "NMI on PSERVER4",
      async () => (await actions("PSERVER4")).includes("nmi") || undefined,
      10_000,
    );
    const notice = await haconnclient([
      "dump-notice",
      ...common,
      "--subsystem",
      "10004",
      "--bind",
      addr("PSERVER4"),
      "--system",
      "PSERVER4",
      "--cluster-port",
      String(clusterPort),
      "--timeout",
      "10",
    ]);
    expect(notice.stdout).toMatch(/^DUMP-ACK accepted after \d+ send\(s\)/);
    expect(notice.code).toBe(0);
    const r = await reset;
    expect(r.stdout).toMatch(/RESET-ACCEPTED: target 10004, phase softReset/);
    expect(r.stdout).toMatch(/RESET-RESULT DUMP: the reset completed/);
    expect(r.code).toBe(0);
    expect(await actions("PSERVER4")).not.toContain("reset");
    await waitFor("ATTENTION DUMP", () => heard.PSERVER1.find((a) => a.targetSubsystem === 10004));
    expect(heard.PSERVER1.find((a) => a.targetSubsystem === 10004)?.state).toBe("DUMP");
  }, 60_000);

  it("haconnclient reset naming an unknown target: ERROR, exit 7", async () => {
    const r = await haconnclient([
      "reset",
      ...common,
      "--subsystem",
      "10005",
      "--bind",
      `${addr("PSERVER5")}:${clusterPort}`,
      "--target",
      "10077",
      "--target-system",
      "PSERVER77",
      "--json",
    ]);
    expect(r.code).toBe(7);
    expect(JSON.parse(r.stdout)).toMatchObject({ result: "ERROR", detail: "unknownTarget", sends: 1 });
  });

  it("a silent connector: exit 3 with a clear message within --timeout", async () => {
    const silent = await freeUdpPort(`${NET}.1`);
    const args = [
      "--connector",
      `${NET}.1:${silent}`,
      "--key-file",
      keyFile,
      "--subsystem",
      "10005",
      "--bind",
      `${NET}.25`,
    ];
    const check = await haconnclient(["check", ...args, "--system", "PSERVER5", "--timeout", "2"]);
    expect(check.code).toBe(3);
    expect(check.stderr).toMatch(/no CHECK-REPLY from the connector at 127\.0\.180\.1:\d+ within 2000 ms/);
    expect(check.ms).toBeLessThan(2000 + 3000);
    const reset = await haconnclient([
      "reset",
      ...args,
      "--target",
      "10004",
      "--target-system",
      "PSERVER4",
      "--timeout",
      "3",
    ]);
    expect(reset.code).toBe(3);
    expect(reset.stderr).toMatch(/did not answer 3 RESET sends/);
    expect(reset.ms).toBeLessThan(3000 + 3000);
    const notice = await haconnclient(["dump-notice", ...args, "--timeout", "2"]);
    expect(notice.code).toBe(3);
    expect(notice.stdout).toMatch(/no DUMP-ACK after 4 send\(s\)/);
  }, 30_000);

  it("a wrong key is refused by the connector (bad-mac, exit 3); a key file others can read is refused locally (exit 2)", async () => {
    const wrong = join(dirs.root, "wrong.key");
    writeFileSync(wrong, `1 ${"ab".repeat(32)} send\n`, { mode: 0o600 });
    const before = (await dumpState(dirs)).drops["bad-mac"] ?? 0;
    const base = [
      "--connector",
      `${connector.address}:${connector.port}`,
      "--subsystem",
      "10005",
      "--bind",
      `${NET}.25`,
    ];
    const r = await haconnclient([
      "check",
      ...base,
      "--key-file",
      wrong,
      "--system",
      "PSERVER5",
      "--timeout",
      "2",
    ]);
    expect(r.code).toBe(3);
    expect((await dumpState(dirs)).drops["bad-mac"]).toBe(before + 1);
    const open = join(dirs.root, "open.key");
    writeFileSync(open, `1 ${"ab".repeat(32)} send\n`, { mode: 0o644 });
    const l = await haconnclient(["check", ...base, "--key-file", open, "--system", "PSERVER5"]);
    expect(l.code).toBe(2);
    expect(l.stderr).toMatch(/open\.key has mode 0644: group or others may access it; chmod 600 it/);
    expect(l.stderr).not.toContain("ab".repeat(32));
    const unsigned = await haconnclient([
      "check",
      ...base,
      "--no-key",
      "--system",
      "PSERVER5",
      "--timeout",
      "2",
    ]);
    expect(unsigned.code).toBe(3); // key mode: the connector drops it (unauthenticated)
  }, 30_000);
  /** `haconnclient reset` of PSERVER5 by PSERVER1's monitor, from another port of its address. */
  const resetPserver5 = (...extra: string[]) => [
    "reset",
    ...common,
    "--subsystem",
    "10001",
    "--bind",
    addr("PSERVER1"), // any port: clients.PSERVER1 holds the cluster's port on this address
    "--cluster-port",
    String(clusterPort),
    "--target",
    "10005",
    "--target-system",
    "PSERVER5",
    "--json",
    "--timeout",
    "30",
    ...extra,
  ];

  it("haconnclient reset --cluster-port from another port of a registered address (the monitor keeps the cluster's port)", async () => {
    const r = await haconnclient(resetPserver5());
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.at(-1)).toMatchObject({
      event: "reset-result",
      result: "DUMP",
      phases: ["softReset"], // RESET-ACCEPTED comes once; later phases only answer a resend
      sends: 1,
    });
    expect(r.code).toBe(0);
    expect(await actions("PSERVER5")).toEqual(expect.arrayContaining(["nmi", "reset"]));
  }, 60_000);

  it("haconnclient reset --fence: a target the connector counts as reset (no CHECK since) is reset again; a plain reset is answered DUMP at once", async () => {
    // PSERVER5 was reset just above and has not checked in since: status dump (protocol §4.3).
    const args = resetPserver5;
    const last = (out: string) => JSON.parse(out.trim().split("\n").at(-1)!);
    const nmis = async () => (await actions("PSERVER5")).filter((a) => a === "nmi").length;
    const before = await nmis();
    const plain = await haconnclient(args());
    expect(last(plain.stdout)).toMatchObject({ event: "reset-result", result: "DUMP", phases: [], sends: 1 });
    expect(await nmis()).toBe(before);
    const fenced = await haconnclient(args("--fence"));
    expect(last(fenced.stdout)).toMatchObject({
      event: "reset-result",
      result: "DUMP",
      phases: ["softReset"],
    });
    expect(fenced.code).toBe(0);
    expect(await nmis()).toBe(before + 1);
  }, 60_000);
});
