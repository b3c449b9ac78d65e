// clilog: every command, through the common entry, appends one line with the time, the user,
// the command and its arguments (secrets masked), rotating through generation files.
import { mkdir, readFile, stat, utimes } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCommand } from "../entry.js";
import { main as setupMain } from "../setup/program.js";
import { main as showMain } from "../show/program.js";
import { run, tempDir } from "../testing/run.js";
import { cliLogLine, maskArguments, stamp } from "./clilog.js";
import { appendGenerationLine } from "./generation-log.js";

let work: Awaited<ReturnType<typeof tempDir>>;
let logDir: string;
const NOW = new Date(2025, 5, 7, 8, 9, 10, 123);

beforeEach(async () => {
  work = await tempDir("haconn-clilog-");
  logDir = join(work.dir, "log");
  await mkdir(logDir);
});
afterEach(() => work.remove());

const logged = (command: string, main: typeof showMain, argv: string[], stdin?: string) =>
  run((a, io) => runCommand(command, main, a, io), argv, {
    etcDir: join(work.dir, "etc"),
    env: { HACONN_LOG_DIR: logDir, HACONN_RUN_DIR: join(work.dir, "run") },
    now: NOW,
    stdin,
  });

describe("clilog", () => {
  it("appends one line per command with time, user, exit status, command and arguments", async () => {
    await logged("haconnshow", showMain, ["status"]);
    await logged("haconnsetup", setupMain, ["hispeed", "resettime=2500"]);
    await logged("haconnshow", showMain, ["hamonitor", "name=bad_name"]);
    const lines = (await readFile(join(logDir, "clilog1"), "utf8")).split("\n");
    expect(lines).toEqual([
      `[2025/06/07 08:09:10:123000] uid=4242(tester) pid=${process.pid} exit=3 haconnshow status`,
      `[2025/06/07 08:09:10:123000] uid=4242(tester) pid=${process.pid} exit=0 haconnsetup hispeed resettime=2500`,
      `[2025/06/07 08:09:10:123000] uid=4242(tester) pid=${process.pid} exit=1 haconnshow hamonitor name=bad_name`,
      "",
    ]);
  });

  it("never logs the SNMP community or a password-like value", async () => {
    const r = await logged("haconnsetup", setupMain, ["snmp", "name=TopSecret7"]);
    expect(r.code).toBe(0);
    await logged(
      "haconnsetup",
      setupMain,
      ["pserver", "add", "PSERVER1", "addr=127.0.0.11", "password=Hunter2pw"],
      "x\n",
    );
    const text = await readFile(join(logDir, "clilog1"), "utf8");
    expect(text).not.toContain("TopSecret7");
    expect(text).not.toContain("Hunter2pw");
    expect(text).toContain("exit=0 haconnsetup snmp name=********\n");
    expect(text).toContain("haconnsetup pserver add PSERVER1 addr=127.0.0.11 password=********");
    expect((await stat(join(logDir, "clilog1"))).mode & 0o777).toBe(0o640);
  });

  it("masks by key and quotes odd characters", () => {
    expect(maskArguments("haconnsetup", ["SNMP", "NAME=x"])).toEqual(["SNMP", "NAME=********"]);
    expect(maskArguments("haconnshow", ["hamonitor", "name=PSERVER1"])).toEqual([
      "hamonitor",
      "name=PSERVER1",
    ]);
    expect(maskArguments("haconnsetup", ['account="a b"', "community=c", "x\ny"])).toEqual([
      '"account=\\"a b\\""',
      "community=********",
      '"x\\ny"',
    ]);
    expect(stamp(new Date(2024, 11, 31, 23, 59, 59, 7))).toBe("[2024/12/31 23:59:59:007000]");
    expect(
      cliLogLine({
        time: NOW,
        user: { uid: 0, name: "root" },
        pid: 1,
        command: "haconndump",
        argv: [],
        exitCode: 0,
      }),
    ).toBe("[2025/06/07 08:09:10:123000] uid=0(root) pid=1 exit=0 haconndump");
  });

  it("rotates to the next generation at the size bound and wraps", async () => {
    const options = { dir: logDir, base: "clilog", generations: 3, maxBytes: 100 };
    const line = "x".repeat(59); // 60 bytes with the newline: one line per generation
    const written: string[] = [];
    for (let i = 0; i < 4; i++) {
      written.push(await appendGenerationLine(options, line));
      // mtime decides the newest generation; make each write visibly newer.
      const t = new Date(Date.now() + i * 1000);
      await utimes(written.at(-1)!, t, t);
    }
    expect(written.map((p) => p.slice(logDir.length + 1))).toEqual([
      "clilog1",
      "clilog2",
      "clilog3",
      "clilog1",
    ]);
    expect(await readFile(join(logDir, "clilog1"), "utf8")).toBe(`${line}\n`);
  });

  it("skips a missing log directory silently and warns on other failures, keeping the exit status", async () => {
    const missing = await run((a, io) => runCommand("haconnshow", showMain, a, io), ["version"], {
      etcDir: work.dir,
      env: { HACONN_LOG_DIR: join(work.dir, "absent") },
    });
    expect(missing).toMatchObject({ code: 0, stderr: "" });
    await mkdir(join(logDir, "clilog1")); // unwritable even for root
    const r = await logged("haconnshow", showMain, ["hamonitor", "x=1"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\nhaconnshow: warning: clilog not written: EISDIR\n$/);
  });
});
