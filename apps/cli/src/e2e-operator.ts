// Issue #20's operator checks against the built commands (./bin/<command>), registered inside
// e2e.test.ts's describe so they share its one build: a closed output pipe ends every command
// quietly, --help and --version work for any user, the password paragraph only where a password
// is read, the confirmation of haconnsetup, a community typed without name= masked in clilog,
// the extra setting sections, `ipdu del '*'` with nothing, HACONN_ETC_DIR under /proc.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";

export type Launch = (
  command: string,
  args: string[],
  env: Record<string, string>,
  stdin?: string,
) => Promise<{ code: number | null; stdout: string; stderr: string }>;

const COMMANDS = ["haconnsetup", "haconnshow", "haconnact", "haconnsby", "haconnserver", "haconndump"];

/** Runs a command whose stdout (or stderr) reader is gone before it writes: `cmd | true`. */
function closedPipe(
  root: string,
  command: string,
  args: string[],
  env: Record<string, string>,
  which: "stdout" | "stderr",
) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; other: string }>(
    (resolve, reject) => {
      const child = spawn(join(root, "bin", command), args, {
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      const closed = which === "stdout" ? child.stdout : child.stderr;
      const open = which === "stdout" ? child.stderr : child.stdout;
      closed.destroy(); // the reader quits at once, as `| true` or a quitting `less` does
      let other = "";
      open.on("data", (d) => {
        other += d;
      });
      const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
      child.on("error", reject);
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, other });
      });
    },
  );
}

export function operatorTests(root: string, launch: Launch, env: () => Record<string, string>): void {
  // What each command prints on stdout here: help, a display, or the manual's "not processing".
  const writers: [string, string[]][] = [
    ["haconnsetup", ["--help"]],
    ["haconnshow", ["setting"]],
    ["haconnact", ["copy"]],
    ["haconnsby", ["restart"]],
    ["haconnserver", ["acrecovery", "PSERVER1"]],
    ["haconndump", []],
  ];
  it.each(writers)(
    "%s %s: a closed stdout pipe ends it quietly (exit 141, nothing on stderr)",
    async (command, args) => {
      // haconndump writes its archive into a log directory of its own here (e2e.test.ts counts archives).
      const own: Record<string, string> =
        command === "haconndump" ? { HACONN_LOG_DIR: mkdtempSync(join(tmpdir(), "haconn-pipe-")) } : {};
      const r = await closedPipe(root, command, args, { ...env(), ...own }, "stdout");
      expect(r.other).toBe("");
      expect(r).toMatchObject({ code: 141, signal: null });
    },
  );

  it("haconnclient --help: a closed stdout pipe ends it quietly (exit 141, nothing on stderr)", async () => {
    const r = await closedPipe(root, "haconnclient", ["--help"], env(), "stdout");
    expect(r).toMatchObject({ code: 141, signal: null, other: "" });
  });

  it("fence_haconn: a closed stdout pipe does not stop the action (its status is the answer)", async () => {
    const r = await closedPipe(root, "fence_haconn", ["-o", "metadata"], env(), "stdout");
    expect(r).toMatchObject({ code: 0, signal: null, other: "" });
  });

  it("a closed stderr pipe ends a refused command quietly too", async () => {
    const r = await closedPipe(root, "haconnsetup", ["resetpath", "port=1"], env(), "stderr");
    expect(r).toMatchObject({ code: 141, signal: null, other: "" });
  });

  it.each(COMMANDS)(
    "%s --help and --version work for a user other than root; the rest is refused",
    (command) => {
      const asNobody = (args: string[]) =>
        spawnSync(
          "setpriv",
          ["--reuid=65534", "--regid=65534", "--clear-groups", join(root, "bin", command), ...args],
          {
            env: { ...process.env, ...env() },
            encoding: "utf8",
          },
        );
      const help = asNobody(["--help"]);
      expect(help.status, help.stderr).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: ${command}`));
      const version = asNobody(["--version"]);
      expect(version.status).toBe(0);
      expect(version.stdout).toMatch(
        new RegExp(`^${command} \\(haconn\\) \\d+\\.\\d+\\.\\d+ commit [0-9a-f]{7,}\\n$`),
      );
      const refused = asNobody(command === "haconndump" ? [] : ["bogus"]);
      expect(refused.status).toBe(2);
      expect(refused.stderr).toBe(`${command}: must be run as root\n`);
    },
  );

  it("prints the password paragraph only in the help of commands that read a password", async () => {
    const help = async (args: string[]) => (await launch("haconnsetup", [...args, "--help"], env())).stdout;
    for (const line of [
      ["pserver", "add"],
      ["pserver", "mod"],
      ["mserver", "add"],
      ["mserver", "mod"],
      ["vserver"],
    ])
      expect(await help(line)).toMatch(/The password is never an argument/);
    for (const line of [[], ["resetpath"], ["ipdu", "add"], ["pserver", "del"], ["hispeed"], ["mlan"]])
      expect(await help(line)).not.toMatch(/password/i);
    expect(await help(["snmp"])).toMatch(/community is prompted/);
  });

  it("confirms a saved change on stderr with how a running haconnd takes it; ipdu del '*' with none says so", async () => {
    const dir = mkdtempSync(join(tmpdir(), "haconn-confirm-"));
    const e = { ...env(), HACONN_ETC_DIR: dir };
    const rp = await launch("haconnsetup", ["resetpath", "addr=127.0.0.60/24", "port=20001"], e);
    expect(rp.code).toBe(0);
    expect(rp.stderr).toMatch(
      /^haconnsetup: saved .*haconn\.json; a running haconnd uses it after a restart of both connectors/m,
    );
    const add = await launch(
      "haconnsetup",
      ["ipdu", "add", "127.0.5.1", "model=IBM_PDU", "profile=ibm-col13"],
      e,
    );
    expect(add).toMatchObject({ code: 0, stdout: "" });
    expect(add.stderr).toMatch(/after "haconnact reload" on the active connector/);
    const same = await launch("haconnsetup", ["ipdu", "add", "127.0.5.2", "model=IBM_PDU"], e);
    expect(same.code).toBe(0);
    const shown = await launch("haconnshow", ["ipdusetting"], e);
    expect(shown.stdout).toMatch(/<ipdu profile> \(others: chosen by firmware\)\n127\.0\.5\.1: ibm-col13\n$/);
    expect((await launch("haconnsetup", ["ipdu", "del", "*"], e)).code).toBe(0);
    const none = await launch("haconnsetup", ["ipdu", "del", "*"], e);
    expect(none).toMatchObject({
      code: 0,
      stdout: "",
      stderr: "haconnsetup: no PDU is registered: nothing to delete\n",
    });
  });

  it("shows a non-default cipher and a pinned ESXi host key in the human displays", async () => {
    const dir = mkdtempSync(join(tmpdir(), "haconn-extras-"));
    const e = { ...env(), HACONN_ETC_DIR: dir };
    await launch(
      "haconnsetup",
      ["pserver", "add", "PSERVER1", "addr=127.0.5.11", "account=admin", "cipher=3"],
      e,
      "Passw0rd!\n",
    );
    const key = `SHA256:${"A".repeat(43)}`;
    await launch("haconnsetup", ["vserver", "PSERVER1", "addr=127.0.5.21", "port=22", `hostkey=${key}`], e);
    const shown = await launch("haconnshow", ["setting"], e);
    expect(shown.stdout).toContain("<iLO/RMC cipher suite> (others: 17)\nPSERVER1: cipher 3\n");
    expect(shown.stdout).toContain(`<ESXi host key> (others: trusted on first use)\nPSERVER1: ${key}\n`);
  });

  it("masks a community typed without name= in clilog", async () => {
    const r = await launch("haconnsetup", ["snmp", "TopSecret9"], env());
    expect(r.code).toBe(1);
    const clilog = await readFile(join(env().HACONN_LOG_DIR!, "clilog1"), "utf8");
    expect(clilog).toMatch(/ exit=1 haconnsetup snmp \*{8}\n/);
    expect(clilog).not.toContain("TopSecret9");
  });

  it("fails at once with HACONN_ETC_DIR under /proc (it spun at 100 % CPU), nothing written", async () => {
    const started = Date.now();
    const r = await launch("haconnsetup", ["hispeed", "off"], { ...env(), HACONN_ETC_DIR: "/proc/haconn" });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^haconnsetup: cannot create \/proc\/haconn: E[A-Z]+\n$/);
  });

  it("answers --json errors as JSON on stdout, stderr empty", async () => {
    const r = await launch("haconnshow", ["status", "extra", "--json"], env());
    expect(r).toMatchObject({ code: 1, stderr: "" });
    expect(JSON.parse(r.stdout)).toEqual({
      error: { code: "CLI_USAGE", message: expect.stringMatching(/unknown argument/) },
    });
  });
}
