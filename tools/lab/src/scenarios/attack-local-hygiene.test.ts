// Issue #17 rows L1–L7 and I (file echo), point 6, against the real built haconnd and commands:
// a key file owned by another user, the log directory's mode, a configuration over 1 MiB, a
// haconn.json that is a symlink to a shadow-like file, an uncaught exception, ESXi host-key
// events in the log, and the pair term under the persistent state directory. (The unit's
// hardening is asserted in tools/rpm/src/unit.test.ts.) Loopback addresses 127.0.118.x.
import { spawnSync } from "node:child_process";
import {
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EsxiSim } from "../esxi-sim/index.js";
import { HamonSimMonitor } from "../hamon-sim/index.js";
import {
  BUILT,
  cli,
  freeUdpPort,
  type LabDirs,
  labDirs,
  REPO,
  removeDirs,
  runDaemonToExit,
  startDaemon,
  waitFor,
} from "./harness.js";

const PW = "haconn-sim-pw1";
const SHADOW = "root:*:20200:0:99999:7:::\nbin:*:20200:0:99999:7:::\n";

/** A configuration made with the documented commands (reset path on 127.0.118.1, one pserver). */
async function configured(prefix: string): Promise<LabDirs> {
  const dirs = labDirs(prefix);
  const port = await freeUdpPort("127.0.118.1");
  cli(dirs, "haconnsetup", ["resetpath", "addr=127.0.118.1/8", `port=${port}`]);
  cli(
    dirs,
    "haconnsetup",
    ["pserver", "add", "PSERVER1", "addr=127.0.0.1:9", "account=admin", "cipher=3"],
    PW,
  );
  return dirs;
}

const showSetting = (dirs: LabDirs) =>
  spawnSync(join(REPO, "bin", "haconnshow"), ["setting"], { env: dirs.env, encoding: "utf8" });

describe.skipIf(!BUILT)("attack L: deployment hygiene of haconnd and the commands", () => {
  const made: LabDirs[] = [];
  const fresh = async (prefix: string) => {
    const d = await configured(prefix);
    made.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of made) removeDirs(d);
  });

  it("L: a resetpath.key owned by another user is refused with a clear error (exit 78)", async (ctx) => {
    if (process.geteuid?.() !== 0) ctx.skip("needs root to chown the key file");
    const dirs = await fresh("atk-owner");
    chownSync(join(dirs.etc, "resetpath.key"), 4242, 4242);
    const r = await runDaemonToExit(dirs);
    expect(r.code).toBe(78);
    expect(r.out).toMatch(/resetpath\.key belongs to uid 4242, not to the daemon's user/);
  }, 30_000);

  it("L: a missing log directory is created 0750, not 0755", async () => {
    const dirs = await fresh("atk-logdir");
    expect(existsSync(dirs.log)).toBe(false);
    const d = await startDaemon(dirs);
    try {
      expect(statSync(dirs.log).mode & 0o777).toBe(0o750);
    } finally {
      await d.stop();
    }
  }, 30_000);

  it("L: a configuration over 1 MiB is refused by the daemon (78) and the commands (2), unread", async () => {
    const dirs = await fresh("atk-big");
    const file = join(dirs.etc, "haconn.json");
    // Still a valid configuration: only its size is wrong (whitespace padding).
    writeFileSync(file, `${readFileSync(file, "utf8")}${" ".repeat(1024 * 1024)}`);
    const r = await runDaemonToExit(dirs);
    expect(r.code).toBe(78);
    expect(r.out).toMatch(/larger than 1048576 bytes/);
    const s = showSetting(dirs);
    expect(s.status).toBe(2);
    expect(s.stderr).toMatch(/larger than 1048576 bytes/);
  }, 30_000);

  it("I: a haconn.json symlinked to a shadow-like file never prints its bytes (daemon and commands)", async () => {
    const dirs = await fresh("atk-shadow");
    const shadow = join(dirs.root, "shadow");
    writeFileSync(shadow, SHADOW, { mode: 0o600 });
    unlinkSync(join(dirs.etc, "haconn.json"));
    symlinkSync(shadow, join(dirs.etc, "haconn.json"));
    const r = await runDaemonToExit(dirs);
    expect(r.code).toBe(78);
    expect(r.out).toMatch(/not valid JSON/);
    const s = showSetting(dirs);
    const setup = spawnSync(join(REPO, "bin", "haconnsetup"), ["hispeed", "off"], {
      env: dirs.env,
      encoding: "utf8",
    });
    for (const out of [r.out, s.stdout + s.stderr, setup.stdout + setup.stderr]) {
      expect(out).not.toMatch(/root|20200|bin:\*/);
    }
    expect(s.stderr).toMatch(/not valid JSON/);
  }, 30_000);

  it("L: an uncaught exception is logged and the daemon exits non-zero (70) so systemd restarts it", async () => {
    const dirs = await fresh("atk-crash");
    const boom = "setTimeout(() => { throw new Error('attack-boom') }, 2500)";
    const r = await runDaemonToExit(dirs, {
      NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(boom)}`,
    });
    expect(r.code).toBe(70);
    expect(r.out).toMatch(/uncaught exception: Error: attack-boom; exiting with status 70/);
    expect(readFileSync(join(dirs.log, "eventlog1"), "utf8")).toMatch(/attack-boom/);
  }, 30_000);
});

describe.skipIf(!BUILT)("attack L: ESXi host-key events reach the logs", () => {
  let dirs: LabDirs;
  let esxi: EsxiSim;
  const monitors: HamonSimMonitor[] = [];

  beforeAll(async () => {
    dirs = labDirs("atk-esxi");
    esxi = await EsxiSim.start({ guests: [{ name: "VM1" }], password: "esxi-pw-1" });
    const port = await freeUdpPort("127.0.118.2");
    cli(dirs, "haconnsetup", ["resetpath", "addr=127.0.118.2/8", `port=${port}`]);
    for (const [name, bmcPort] of [
      ["PSERVER1", 9],
      ["PSERVER2", 10],
    ] as const)
      cli(
        dirs,
        "haconnsetup",
        ["pserver", "add", name, `addr=127.0.0.1:${bmcPort}`, "account=admin", "cipher=3"],
        PW,
      );
    cli(
      dirs,
      "haconnsetup",
      ["vserver", "PSERVER1", "addr=127.0.0.1", `port=${esxi.port}`, "account=root", "VMware=Enable"],
      "esxi-pw-1",
    );
    const clusterPort = await freeUdpPort("127.0.118.21");
    for (const [sub, system, addr, vm] of [
      [10002, "PSERVER2", "127.0.118.21", undefined],
      [10011, "PSERVER1", "127.0.118.31", "VM1"],
    ] as const) {
      monitors.push(
        await HamonSimMonitor.start({
          subsystem: sub,
          systemName: system,
          ...(vm ? { kind: "guest" as const, vmName: vm } : {}),
          connector: { address: "127.0.118.2", port },
          checkIntervalMs: 0,
          bind: { address: addr, port: clusterPort },
        }),
      );
    }
  }, 60_000);

  afterAll(async () => {
    for (const m of monitors) await m.stop();
    await esxi?.stop();
    if (dirs) removeDirs(dirs);
  });

  const resetGuest = async () => {
    for (const m of monitors) expect(await m.check()).toBeDefined();
    return monitors[0]!.reset({ subsystem: 10011, systemName: "PSERVER1" }, { resultTimeoutMs: 20_000 });
  };
  const eventlog = () => readFileSync(join(dirs.log, "eventlog1"), "utf8");

  it("the host key recorded on first use is logged with its fingerprint", async () => {
    const d = await startDaemon(dirs);
    try {
      const r = await resetGuest();
      expect(r.result?.result).toBe("DUMP");
      await waitFor(
        "TOFU line",
        () => eventlog().includes("ESXi host key recorded on first use") || undefined,
      );
      expect(eventlog()).toContain(esxi.fingerprint);
    } finally {
      await d.stop();
    }
  }, 60_000);

  it("a changed host key is refused and logged as a mismatch, with no password sent", async () => {
    // The ESXi host "was replaced": another key than the one recorded.
    mkdirSync(dirs.log, { recursive: true });
    const recorded = JSON.parse(readFileSync(join(dirs.etc, "esxi-hostkeys.json"), "utf8"));
    const text = JSON.stringify(recorded).replace(esxi.fingerprint, `SHA256:${"A".repeat(43)}`);
    writeFileSync(join(dirs.etc, "esxi-hostkeys.json"), text, { mode: 0o600 });
    const logins = esxi.auths.length;
    const d = await startDaemon(dirs);
    try {
      const r = await resetGuest();
      expect(r.result?.result).not.toBe("DUMP");
      await waitFor(
        "mismatch line",
        () => eventlog().includes("ESXi host key mismatch") || undefined,
        20_000,
      );
      expect(esxi.auths.length).toBe(logins); // no password attempt against the changed host
    } finally {
      await d.stop();
    }
  }, 60_000);
});

describe.skipIf(!BUILT)("attack L: the pair term survives the run directory", () => {
  it("is written under the state directory, never the run directory that systemd empties", async () => {
    const { LoopbackPair } = await import("../faults/pair-fixture.js");
    const pair = await LoopbackPair.start({
      prefix: "atk-term",
      addresses: ["127.0.118.3", "127.0.118.41", "127.0.118.42"],
      pservers: [],
    });
    try {
      await waitFor(
        "a term",
        () =>
          ["HACON1", "HACON2"].every((n) =>
            existsSync(join(pair.nodeDirs[n as "HACON1"].root, "state", "pair-term")),
          ) || undefined,
      );
      for (const n of ["HACON1", "HACON2"] as const) {
        expect(existsSync(join(pair.nodeDirs[n].run, "pair-term"))).toBe(false);
        rmSync(pair.nodeDirs[n].run, { recursive: true, force: true }); // what RuntimeDirectory= does at stop
        expect(
          Number(readFileSync(join(pair.nodeDirs[n].root, "state", "pair-term"), "utf8")),
        ).toBeGreaterThan(0);
      }
    } finally {
      await pair.stop();
    }
  }, 90_000);
});
