// The reset-path key created by default, the insecure switch, the fence_kdump listener and the
// monitor allow-list, as haconnsetup writes them and haconnshow setting shows them; the
// configuration file's 1 MiB cap and error messages that never quote the file (docs/security.md).
import { chownSync, readFileSync, statSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigStore, MAX_CONFIG_BYTES } from "@haconn/config";
import { parseKeyFile } from "@haconn/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { main as show } from "../show/program.js";
import { run, tempDir, words } from "../testing/run.js";
import { main } from "./program.js";

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  tmp = await tempDir("haconn-secure-");
});
afterEach(() => tmp.remove());

const setup = (line: string) => run(main, words(line), { etcDir: tmp.dir });
const setting = async () => (await run(show, ["setting"], { etcDir: tmp.dir })).stdout;
const keyPath = () => join(tmp.dir, "resetpath.key");

describe("haconnsetup resetpath creates resetpath.key", () => {
  it("the first time the reset path is set: 0600, key id 1, the format of protocol.md §8.3", async () => {
    const r = await setup("resetpath addr=192.168.0.1/24 port=30000");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/created .*resetpath\.key \(key id 1, mode 0600\)/);
    const st = statSync(keyPath());
    expect(st.mode & 0o777).toBe(0o600);
    const text = readFileSync(keyPath(), "utf8");
    expect(text).toMatch(/^1 [0-9a-f]{64} send$/m);
    expect(parseKeyFile(text).send.id).toBe(1);
    expect(r.stdout).not.toContain(text.match(/[0-9a-f]{64}/)![0]);
    const shown = await setting();
    expect(shown).toContain("key file:present (key ids 1, send 1)");
    expect(shown).toContain("authentication:required");
    expect(shown).not.toContain(text.match(/[0-9a-f]{64}/)![0]);
  });

  it("never overwrites an existing key (later resetpath changes, key=new)", async () => {
    await setup("resetpath addr=192.168.0.1/24 port=30000");
    const before = readFileSync(keyPath(), "utf8");
    expect((await setup("resetpath port=30001")).code).toBe(0);
    const again = await setup("resetpath key=new");
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/never overwritten/);
    expect(readFileSync(keyPath(), "utf8")).toBe(before);
  });

  it("insecure=on on the first set creates no key; show says INSECURE; key=new creates one later", async () => {
    const r = await setup("resetpath addr=192.168.0.1/24 port=30000 insecure=on");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/warning: insecure=on/);
    expect(() => statSync(keyPath())).toThrow();
    const shown = await setting();
    expect(shown).toContain("key file:absent");
    expect(shown).toContain("authentication:INSECURE");
    const json = JSON.parse((await run(show, ["setting", "--json"], { etcDir: tmp.dir })).stdout);
    expect(json.resetPathAuth).toBe("insecure");
    expect(json.resetpath.insecure).toBe(true);
    expect((await setup("resetpath key=new")).code).toBe(0);
    expect(statSync(keyPath()).mode & 0o777).toBe(0o600);
    expect((await setup("resetpath insecure=off")).code).toBe(0);
    expect((await new ConfigStore(tmp.dir).read()).resetpath).not.toHaveProperty("insecure");
  });

  it("without key and without the switch, show says the daemon refuses to start", async () => {
    await setup("resetpath addr=192.168.0.1/24 port=30000");
    unlinkSync(keyPath());
    expect(await setting()).toMatch(/authentication:none: haconnd refuses to start/);
  });

  it("when run as root, the key and the configuration belong to the configuration directory's owner", async (ctx) => {
    if (process.geteuid?.() !== 0) ctx.skip("needs root to chown");
    chownSync(tmp.dir, 4242, 4242);
    await setup("resetpath addr=192.168.0.1/24 port=30000");
    expect(statSync(keyPath()).uid).toBe(4242);
    expect(statSync(join(tmp.dir, "haconn.json")).uid).toBe(4242);
  });
});

describe("haconnsetup kdump and hamonitor", () => {
  it("the fence_kdump listener is off unless configured", async () => {
    await setup("resetpath addr=192.168.0.1/24 port=30000");
    expect(await setting()).toContain("<fence_kdump>\nstatus :off");
    expect((await setup("kdump on")).code).toBe(0);
    expect(await setting()).toContain("status :on port number:7410");
    expect((await setup("kdump port=7411")).code).toBe(0);
    expect((await new ConfigStore(tmp.dir).read()).kdump).toEqual({ port: 7411 });
    const clash = await setup("kdump port=30000");
    expect(clash.code).not.toBe(0);
    expect(clash.stderr).toMatch(/reset-path port/);
    expect((await setup("kdump off")).code).toBe(0);
    expect((await new ConfigStore(tmp.dir).read()).kdump).toBeNull();
  });

  it("hamonitor allow= sets the per-system allow-list; allow=any removes it", async () => {
    await setup("resetpath addr=192.168.0.1/24 port=30000");
    await run(main, words("pserver add PSERVER1 addr=192.168.0.11 account=admin"), {
      etcDir: tmp.dir,
      stdin: "Passw0rd!\n",
    });
    expect((await setup("hamonitor PSERVER1 allow=192.168.0.21,192.168.0.22")).code).toBe(0);
    expect((await new ConfigStore(tmp.dir).read()).pservers[0]!.monitorAddrs).toEqual([
      "192.168.0.21",
      "192.168.0.22",
    ]);
    expect(await setting()).toContain("PSERVER1: 192.168.0.21,192.168.0.22");
    expect((await setup("hamonitor PSERVER1 allow=192.168.0.300")).code).not.toBe(0);
    expect((await setup("hamonitor NOPE allow=192.168.0.21")).code).not.toBe(0);
    expect((await setup("hamonitor PSERVER1 allow=any")).code).toBe(0);
    expect((await new ConfigStore(tmp.dir).read()).pservers[0]).not.toHaveProperty("monitorAddrs");
  });
});

describe("the configuration file as read by the CLI", () => {
  it("a file over 1 MiB is refused without being read", async () => {
    writeFileSync(join(tmp.dir, "haconn.json"), " ".repeat(MAX_CONFIG_BYTES + 1));
    const r = await run(show, ["setting"], { etcDir: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/larger than 1048576 bytes/);
  });

  it("a non-JSON haconn.json (a symlink to a shadow-like file) is refused without its bytes", async () => {
    const secret = join(tmp.dir, "shadow");
    writeFileSync(secret, "root:*:20200:0:99999:7:::\nbin:*:20200:0:99999:7:::\n", { mode: 0o600 });
    symlinkSync(secret, join(tmp.dir, "haconn.json"));
    for (const r of [await run(show, ["setting"], { etcDir: tmp.dir }), await setup("hispeed off")]) {
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/not valid JSON/);
      expect(r.stderr + r.stdout).not.toMatch(/root|20200|bin:/);
    }
  });
});
