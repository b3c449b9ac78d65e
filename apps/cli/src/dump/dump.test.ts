// haconndump: the archive's contents and mode, no secret in it, the missing-file notice, and the
// state snapshot and the peer's logs (a tar.gz relayed by haconnd) from an in-test haconnd.
import { execFile } from "node:child_process";
import { mkdir, readdir, readFile, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { ConfigStore } from "@haconn/config";
import { SAMPLE_BMC_PASSWORD, SAMPLE_COMMUNITY, sampleConfig } from "@haconn/config/test";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FakeDaemon, startFakeDaemon } from "../testing/fake-daemon.js";
import { run, tempDir } from "../testing/run.js";
import { redactSecrets } from "./redact.js";
import { main } from "./program.js";

const exec = promisify(execFile);
const ESXI_PASSWORD = "EsxiSecret42";
const NOW = new Date(2025, 0, 2, 3, 4, 5); // local time 2025-01-02 03:04:05
const ARCHIVE = "HaConnectorDump.20250102030405.tar.gz";

let work: Awaited<ReturnType<typeof tempDir>>;
let daemon: FakeDaemon | undefined;
let etcDir: string;
let logDir: string;

async function extract(archive: string): Promise<string> {
  const into = join(work.dir, "extracted");
  await mkdir(into);
  await exec("tar", ["-xzf", archive, "-C", into]);
  return join(into, "HaConnectorDump.20250102030405");
}

async function allText(dir: string): Promise<string> {
  let text = "";
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) text += await readFile(join(entry.parentPath, entry.name), "utf8");
  }
  return text;
}

/** A peer's log archive as haconnd relays it (base64 of a tar.gz), with one entry to refuse. */
async function peerArchive(): Promise<string> {
  const dir = join(work.dir, "peer-src");
  await mkdir(dir);
  await writeFile(join(dir, "eventlog1"), "standby event\n");
  await writeFile(join(dir, "resetlog1"), "standby resetlog\n");
  await symlink("/etc/passwd", join(dir, "errlog1"));
  await exec("tar", ["-czf", join(work.dir, "peer.tgz"), "-C", dir, "eventlog1", "resetlog1", "errlog1"]);
  return (await readFile(join(work.dir, "peer.tgz"))).toString("base64");
}

const dump = (runDir: string) =>
  run(main, [], { etcDir, now: NOW, env: { HACONN_LOG_DIR: logDir, HACONN_RUN_DIR: runDir } });

beforeEach(async () => {
  work = await tempDir("haconn-dump-");
  etcDir = join(work.dir, "etc");
  logDir = join(work.dir, "log");
  await mkdir(logDir);
  const config = sampleConfig({ ipdusd: true });
  config.pservers[0]!.vserver = {
    addr: "127.0.4.1",
    port: 22,
    account: "root",
    password: ESXI_PASSWORD,
    enabled: true,
    hostKey: null,
  };
  await new ConfigStore(etcDir).update(() => config);
  for (const [name, text] of [
    ["eventlog1", "event one\n"],
    ["eventlog2", "event two\n"],
    ["altlog1", "alt\n"],
    ["errlog1", "err\n"],
    ["resetlog1", "[2025/01/02 03:04:05:000000] RM-RESET ...\n"],
    ["clilog1", "cli\n"],
    ["HaConnectorDump.20240101000000.tar.gz", "an older dump\n"],
  ]) {
    await writeFile(join(logDir, name!), text!);
  }
});
afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
  await work.remove();
});

describe("haconndump", () => {
  it("collects logs, the configuration without secrets and the state, 0600, and lists what is missing", async () => {
    daemon = await startFakeDaemon({
      dumpState: () => ({
        role: "active",
        jobs: [],
        secretProbe: { password: "StatePassword1" },
      }),
      collectPeerLogs: async () => ({ peer: "HACON2", ok: true, archive: await peerArchive() }),
    });
    const r = await dump(daemon.runDir);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const archive = join(logDir, ARCHIVE);
    expect((await stat(archive)).mode & 0o777).toBe(0o600);
    expect(r.stdout).toBe(
      [
        "haconndump: these files were not collected:",
        '  peer/HACON2/"errlog1" (not a plain log file)',
        "  initlog*",
        "  snaplog*.tgz",
        `haconndump: collected 11 files into ${archive}`,
        "",
      ].join("\n"),
    );
    const root = await extract(archive);
    const listing = (await readdir(root, { recursive: true })).sort();
    expect(listing).toEqual([
      "MISSING.txt",
      "config",
      "config/haconn.json",
      "log",
      "log/altlog1",
      "log/clilog1",
      "log/errlog1",
      "log/eventlog1",
      "log/eventlog2",
      "log/resetlog1",
      "peer",
      "peer/HACON2",
      "peer/HACON2/eventlog1",
      "peer/HACON2/resetlog1",
      "state.json",
    ]);
    expect(await readFile(join(root, "log/eventlog2"), "utf8")).toBe("event two\n");
    expect(await readFile(join(root, "peer/HACON2/eventlog1"), "utf8")).toBe("standby event\n");
    expect(await readFile(join(root, "MISSING.txt"), "utf8")).toContain("  initlog*\n  snaplog*.tgz\n");
    const state = JSON.parse(await readFile(join(root, "state.json"), "utf8"));
    expect(state).toMatchObject({ role: "active" });
    const config = JSON.parse(await readFile(join(root, "config/haconn.json"), "utf8"));
    expect(config.pservers[0].bmc).toMatchObject({ account: "admin", password: "" });
    expect(config.pservers[0].vserver).toMatchObject({ account: "root", password: "" });
    expect(config.snmp).toEqual({ community: "" });
    const everything = await allText(root);
    for (const secret of [SAMPLE_BMC_PASSWORD, SAMPLE_COMMUNITY, ESXI_PASSWORD, "StatePassword1"]) {
      expect(everything).not.toContain(secret);
    }
    expect((await exec("tar", ["-tzf", archive])).stdout).not.toContain("HaConnectorDump.2024");
  });

  it("notes an unreachable peer in the list of missing files and still succeeds", async () => {
    daemon = await startFakeDaemon({
      dumpState: () => ({ role: "active" }),
      collectPeerLogs: () => ({
        peer: "HACON2",
        ok: false,
        reason: "HACON2 did not send its logs (not connected over the duplex link)",
      }),
    });
    const r = await dump(daemon.runDir);
    expect(r.code).toBe(0);
    const line = "  peer/HACON2/ (HACON2 did not send its logs (not connected over the duplex link))\n";
    expect(r.stdout).toContain(line);
    const root = await extract(join(logDir, ARCHIVE));
    expect(await readFile(join(root, "MISSING.txt"), "utf8")).toContain(line);
    expect(await readdir(root)).not.toContain("peer");
  });

  it("running alone (no peer configured), nothing about a peer is missing", async () => {
    daemon = await startFakeDaemon({
      dumpState: () => ({ role: "active" }),
      collectPeerLogs: () => ({ peer: null, ok: false, reason: "no peer connector is configured" }),
    });
    const r = await dump(daemon.runDir);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("peer");
  });

  it("notes that haconnd is not running and still succeeds", async () => {
    const r = await dump(join(work.dir, "no-run"));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("  state.json (haconnd is not running)\n");
    expect(r.stdout).toContain("  peer/ (haconnd is not running, so the peer's logs could not be fetched)\n");
    const root = await extract(join(logDir, ARCHIVE));
    expect(await readFile(join(root, "MISSING.txt"), "utf8")).toContain(
      "state.json (haconnd is not running)",
    );
    expect(await readdir(root)).not.toContain("state.json");
  });

  it("notes a missing or unreadable configuration and still succeeds", async () => {
    await writeFile(
      join(etcDir, "haconn.json"),
      `{"schemaVersion":1,"pdus":"x","password":"${ESXI_PASSWORD}"}`,
    );
    const r = await dump(join(work.dir, "no-run"));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ {2}config\/haconn\.json \(unreadable: .*haconn\.json/);
    const root = await extract(join(logDir, ARCHIVE));
    expect(await allText(root)).not.toContain(ESXI_PASSWORD);
  });

  it("refuses a missing log directory with exit 2", async () => {
    const r = await run(main, [], { etcDir, now: NOW, env: { HACONN_LOG_DIR: join(work.dir, "none") } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^haconndump: cannot use the log directory .*none: ENOENT/);
  });

  it("never overwrites an archive of the same second", async () => {
    await writeFile(join(logDir, ARCHIVE), "earlier");
    const r = await dump(join(work.dir, "no-run"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/EEXIST/);
    expect(await readFile(join(logDir, ARCHIVE), "utf8")).toBe("earlier");
  });

  it("has --help", async () => {
    const r = await run(main, ["--help"], { etcDir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: haconndump/);
  });

  it("blanks passwords and communities anywhere in a document", () => {
    expect(redactSecrets({ a: [{ password: "x", b: { Community: "y" } }], password: null, n: 1 })).toEqual({
      a: [{ password: "", b: { Community: "" } }],
      password: null,
      n: 1,
    });
  });
});
