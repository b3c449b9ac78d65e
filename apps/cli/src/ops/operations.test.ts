// haconnserver, haconnact and haconnsby against an in-test haconnd: what each command sends,
// the manual's ranges and exclusions checked before anything is sent, and haconnd's answers.
import { join } from "node:path";
import { HaconnError } from "@haconn/config";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type FakeDaemon, startFakeDaemon } from "../testing/fake-daemon.js";
import { type Main, run, tempDir, words } from "../testing/run.js";
import { mainAct, mainSby } from "./pair.js";
import { main as mainServer } from "./server.js";

const COMMANDS: Record<string, Main> = { haconnserver: mainServer, haconnact: mainAct, haconnsby: mainSby };

const RELOAD_FAILED = {
  message: "reload failed",
  summary: {
    completed: false,
    subjects: [
      { subject: "Management Server", success: 0, total: 0, result: "Success" },
      { subject: "Physical Server", success: 1, total: 2, result: "Failed" },
      { subject: "iPDU", success: 1, total: 1, result: "Success" },
    ],
    pservers: [
      { name: "ha8kn0003", operation: "Delete", result: "Error" },
      { name: "ha8kn0005", operation: "Add", result: "Success" },
    ],
    pdus: [{ addr: "192.168.1.101", operation: "Add", result: "Success" }],
    mservers: [
      { name: "msserver02", result: "No Change" },
      { name: "msserver01", result: "No Change" },
    ],
  },
};

let etc: Awaited<ReturnType<typeof tempDir>>;
let daemon: FakeDaemon;
let reloadAnswer: unknown = RELOAD_FAILED;
const message = (text: string) => () => ({ message: text });

async function cli(line: string, runDir = daemon.runDir) {
  const [command, ...argv] = words(line);
  return run(COMMANDS[command!]!, argv, { etcDir: etc.dir, env: { HACONN_RUN_DIR: runDir } });
}

beforeAll(async () => {
  etc = await tempDir("haconn-ops-");
  daemon = await startFakeDaemon({
    serverReset: (a) => ({ message: `software reset of ${a.name} address=${a.address}: DUMP` }),
    serverIpdusd: message("ipdusd test finished"),
    acrecovery: message("power restored"),
    "act.copy": message("copied to HACON2"),
    "act.reload": () => reloadAnswer,
    "act.restart": message("handed over"),
    "act.shutdown": message("both stopping"),
    "act.ipdusd": message("act ipdusd done"),
    "sby.restart": message("standby restarting"),
    "sby.shutdown": message("standby stopping"),
    "sby.ipdusd": message("sby ipdusd done"),
  });
});
afterAll(async () => {
  await daemon.stop();
  await etc.remove();
});
afterEach(() => {
  daemon.calls.length = 0;
});

describe("what each command sends (manual §6.8-6.10)", () => {
  it.each([
    ["haconnserver acrecovery PSERVER1", "acrecovery", { name: "PSERVER1" }, "power restored"],
    [
      "haconnserver reset PSERVER1 address=10001",
      "serverReset",
      { name: "PSERVER1", address: 10001 },
      "software reset of PSERVER1 address=10001: DUMP",
    ],
    [
      "haconnserver ipdusd PSERVER1 mode=same",
      "serverIpdusd",
      { name: "PSERVER1", mode: "same", offtimeSec: 5 },
      "ipdusd test finished",
    ],
    [
      "haconnserver ipdusd PSERVER1 mode=serial",
      "serverIpdusd",
      { name: "PSERVER1", mode: "serial", offtimeSec: 5, wtimeSec: 5 },
      "ipdusd test finished",
    ],
    [
      "haconnserver ipdusd PSERVER1 wtime=60 addr=127.0.3.1 mode=serial offtime=10",
      "serverIpdusd",
      { name: "PSERVER1", mode: "serial", addr: "127.0.3.1", offtimeSec: 10, wtimeSec: 60 },
      "ipdusd test finished",
    ],
    [
      "haconnserver ipdusd PSERVER1 mode=serial addr=127.0.3.1:1161",
      "serverIpdusd",
      { name: "PSERVER1", mode: "serial", addr: "127.0.3.1:1161", offtimeSec: 5, wtimeSec: 5 },
      "ipdusd test finished",
    ],
    ["haconnact copy", "act.copy", {}, "copied to HACON2"],
    ["haconnact restart", "act.restart", {}, "handed over"],
    ["haconnact shutdown", "act.shutdown", {}, "both stopping"],
    ["haconnact ipdusd mode=same", "act.ipdusd", { mode: "same", offtimeSec: 5 }, "act ipdusd done"],
    [
      "haconnact ipdusd mode=serial offtime=30",
      "act.ipdusd",
      { mode: "serial", offtimeSec: 30, wtimeSec: 5 },
      "act ipdusd done",
    ],
    ["haconnsby restart", "sby.restart", {}, "standby restarting"],
    ["haconnsby shutdown", "sby.shutdown", {}, "standby stopping"],
    [
      "haconnsby ipdusd mode=serial offtime=60 wtime=5",
      "sby.ipdusd",
      { mode: "serial", offtimeSec: 60, wtimeSec: 5 },
      "sby ipdusd done",
    ],
    [
      "haconnsby ipdusd mode=same offtime=60",
      "sby.ipdusd",
      { mode: "same", offtimeSec: 60 },
      "sby ipdusd done",
    ],
  ])("%s", async (line, op, args, text) => {
    const r = await cli(line);
    expect(r).toEqual({ code: 0, stdout: `${text}\n`, stderr: "" });
    expect(daemon.calls).toEqual([{ op, args }]);
  });

  it("prints the answer as JSON with --json", async () => {
    const r = await cli("haconnserver acrecovery PSERVER1 --json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ message: "power restored" });
  });
});

describe("haconnact reload", () => {
  it("prints the manual's summary and exits 2 when the reload failed", async () => {
    reloadAnswer = RELOAD_FAILED;
    const r = await cli("haconnact reload");
    expect(r.code).toBe(2);
    expect(r.stdout).toBe(`-- HA monitor connector reload : failed. --

- Summary
<Subject>         : <Success/Total> : <Result>
Management Server : 0 / 0           : Success
Physical Server   : 1 / 2           : Failed
iPDU              : 1 / 1           : Success

- Physical Server Configuration Change:
<SystemName> : <Operation> : <Result>
ha8kn0003    : Delete      : Error
ha8kn0005    : Add         : Success

- iPDU Configuration Change:
<IP Address>  : <Operation> : <Result>
192.168.1.101 : Add         : Success

HA Connector Service Configuration Update Status
<Management Server System Name> : <Result>
msserver02                      : No Change
msserver01                      : No Change
`);
    const json = await cli("haconnact reload --json");
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual(RELOAD_FAILED);
  });

  it("exits 0 when it completed", async () => {
    reloadAnswer = { summary: { ...RELOAD_FAILED.summary, completed: true } };
    const r = await cli("haconnact reload");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^-- HA monitor connector reload : completed\. --\n/);
  });
});

describe("arguments are checked before anything is sent", () => {
  it.each([
    ["haconnserver reset PSERVER1", /^haconnserver: address: required/],
    ["haconnserver reset PSERVER1 address=0", /^haconnserver: address: "0" is not a subsystem number/],
    ["haconnserver reset PSERVER1 address=-5", /^haconnserver: address: "-5" is not a subsystem number/],
    ["haconnserver reset PSERVER1 address=12a", /^haconnserver: address: "12a" is not a subsystem number/],
    ["haconnserver reset PSERVER1 address=4294967296", /address: "4294967296" is not a subsystem number/],
    [
      "haconnserver reset PSERVER-1 address=1",
      /^haconnserver: <server name>: "PSERVER-1" is not a server name/,
    ],
    ["haconnserver reset PSERVER1 address=1 addr=127.0.0.1", /^haconnserver: addr: unknown argument/],
    ["haconnserver ipdusd PSERVER1", /^haconnserver: mode: required/],
    ["haconnserver ipdusd PSERVER1 mode=all", /^haconnserver: mode: must be same or serial/],
    ["haconnserver ipdusd PSERVER1 mode=same wtime=5", /^haconnserver: wtime: not allowed with mode=same/],
    [
      "haconnserver ipdusd PSERVER1 mode=same addr=127.0.3.1",
      /^haconnserver: addr: not allowed with mode=same/,
    ],
    [
      "haconnserver ipdusd PSERVER1 mode=serial offtime=4",
      /^haconnserver: offtime: 4 is outside 5-60 seconds/,
    ],
    ["haconnserver ipdusd PSERVER1 mode=serial offtime=61", /^haconnserver: offtime: 61 is outside 5-60/],
    ["haconnserver ipdusd PSERVER1 mode=serial wtime=0", /^haconnserver: wtime: 0 is outside 5-60/],
    ["haconnserver ipdusd PSERVER1 mode=serial offtime=ten", /^haconnserver: offtime: "ten" is not a whole/],
    ["haconnserver ipdusd PSERVER1 mode=serial addr=127.0.3", /^haconnserver: addr: /],
    ["haconnserver ipdusd PSERVER1 mode=serial mode=same", /^haconnserver: mode: given twice/],
    ["haconnserver acrecovery", /missing required argument/],
    ["haconnserver acrecovery PSERVER1 extra", /too many arguments/],
    [
      "haconnact ipdusd mode=serial",
      /^haconnact: offtime: a serial test of a management server needs offtime=30-60/,
    ],
    ["haconnact ipdusd mode=serial offtime=29", /^haconnact: offtime: a serial test of a management server/],
    ["haconnact ipdusd mode=same wtime=10", /^haconnact: wtime: not allowed with mode=same/],
    ["haconnact ipdusd mode=serial offtime=30 addr=127.0.3.1", /^haconnact: addr: unknown argument/],
    ["haconnsby ipdusd mode=serial offtime=5", /^haconnsby: offtime: a serial test of a management server/],
    ["haconnsby ipdusd mode=same offtime=70", /^haconnsby: offtime: 70 is outside 5-60/],
    ["haconnact copy now", /too many arguments/],
    ["haconnsby reload", /unknown command 'reload'/],
  ])("%s", async (line, expected) => {
    const r = await cli(line);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(expected);
    expect(r.stdout).toBe("");
    expect(daemon.calls).toEqual([]);
  });
});

describe("haconnd's answers", () => {
  it.each(["haconnserver acrecovery PSERVER1", "haconnact copy", "haconnsby shutdown"])(
    "%s: not running prints the manual's message, exit 3",
    async (line) => {
      const r = await cli(line, join(etc.dir, "absent"));
      expect(r).toEqual({ code: 3, stdout: "HA connector service is not processing.\n", stderr: "" });
    },
  );

  it("maps NOT_ACTIVE, CONTROL_BAD_ARGS and operation failures", async () => {
    const d = await startFakeDaemon({
      "act.copy": () => {
        throw new HaconnError("NOT_ACTIVE", "this command runs on the active connector");
      },
      acrecovery: () => {
        throw new HaconnError("CONTROL_BAD_ARGS", "PSERVER9 is not a managed server");
      },
      serverReset: () => {
        throw new HaconnError("RESET_FAILED", "subsystem 10001 is not registered on PSERVER1");
      },
    });
    try {
      const a = await cli("haconnact copy", d.runDir);
      expect(a).toEqual({
        code: 4,
        stdout: "",
        stderr:
          "haconnact: This command can be run only on the active connector. (haconnd: this command runs on the active connector)\n",
      });
      const b = await cli("haconnserver acrecovery PSERVER9", d.runDir);
      expect(b).toMatchObject({
        code: 1,
        stderr: "haconnserver: haconnd refused the arguments: PSERVER9 is not a managed server\n",
      });
      const c = await cli("haconnserver reset PSERVER1 address=10001", d.runDir);
      expect(c).toMatchObject({
        code: 2,
        stderr: "haconnserver: subsystem 10001 is not registered on PSERVER1\n",
      });
    } finally {
      await d.stop();
    }
  });
});

describe("--help on every command", () => {
  it.each([
    "haconnserver --help",
    "haconnserver acrecovery --help",
    "haconnserver reset --help",
    "haconnserver ipdusd --help",
    "haconnact --help",
    "haconnact copy --help",
    "haconnact reload --help",
    "haconnact restart --help",
    "haconnact shutdown --help",
    "haconnact ipdusd --help",
    "haconnsby --help",
    "haconnsby restart --help",
    "haconnsby shutdown --help",
    "haconnsby ipdusd --help",
  ])("%s", async (line) => {
    const r = await cli(line);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: ${line.split(" ")[0]}`));
    expect(daemon.calls).toEqual([]);
  });
});
