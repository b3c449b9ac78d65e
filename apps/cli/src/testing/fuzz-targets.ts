// Fuzz targets of the CLI's argument handling (used by src/fuzz.test.ts and scripts/fuzz.sh):
//  - cli-values: the key=value parser and every value parser (args.ts, daemon-args.ts) on
//    grammar-built and mutated tokens: each returns a value inside its documented range or
//    throws CliError CLI_USAGE, nothing else;
//  - cli-daemon-commands: haconnserver / haconnact / haconnsby run in-process against a fake
//    haconnd: exit status 0-4 (never 70, the bug status); status 1 sends nothing, status 0
//    sends exactly one request;
//  - cli-setup: haconnsetup in-process on a temporary configuration restored before each case:
//    exit status 0-2; status 1 leaves the configuration file byte for byte unchanged.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isIpv4, NAME_PATTERN, prefixToMask } from "@haconn/config";
import { check, type FuzzTarget, mutateText, type Rng } from "@haconn/protocol/test";
import {
  parseAddressWithMask,
  parseDeviceAddress,
  parseEnableDisable,
  parseInteger,
  parseIpv4,
  parseOnOff,
  parseSettings,
} from "../args.js";
import { parseIpdusdArgs, parseServerName, parseSubsystem, SUBSYSTEM_MAX } from "../daemon-args.js";
import { CliError } from "../errors.js";
import { main as serverMain } from "../ops/server.js";
import { mainAct, mainSby } from "../ops/pair.js";
import { main as setupMain } from "../setup/program.js";
import { startFakeDaemon } from "./fake-daemon.js";
import { type Main, run } from "./run.js";

const KEYS = [
  "addr",
  "port",
  "account",
  "mode",
  "offtime",
  "wtime",
  "address",
  "concent",
  "timeout",
  "cipher",
  "check",
  "ipdusd",
  "cluster",
  "recoverytime",
  "VMware",
  "name",
  "model",
  "resettime",
  "hostkey",
];
const VALUES = [
  "",
  "0",
  "1",
  "5",
  "29",
  "30",
  "60",
  "61",
  "99",
  "1000",
  "5000",
  "65535",
  "65536",
  "4294967295",
  "4294967296",
  "999999999",
  "1000000000",
  "-1",
  "+5",
  "1e3",
  "0x10",
  "05",
  " 5",
  "on",
  "off",
  "ON",
  "Enable",
  "disable",
  "same",
  "serial",
  "SERIAL",
  "127.0.0.1",
  "127.0.0.1:623",
  "127.0.0.1:0",
  "127.0.0.1:70000",
  "256.0.0.1",
  "1.2.3",
  "127.0.0.1/8",
  "127.0.0.1/255.0.0.0",
  "127.0.0.1/0",
  "127.0.0.1/33",
  "127.0.0.1/255.0.255.0",
  "127.0.0.1//8",
  "::1",
  "PSERVER1",
  "PSERVER-1",
  "a".repeat(31),
  "a".repeat(32),
  '"quoted"',
  "'q'",
  '"',
  "=",
  "==",
  "a=b",
  "IBM_PDU",
  "\u00e9",
  "\u0663",
  "\u0000",
  "x".repeat(300),
  "%s%n",
  "$(id)",
  "`id`",
  "../../etc/passwd",
];
const ALPHABET = ["=", " ", ".", ":", "/", "0", "1", "9", "a", "Z", '"', "'", "-", "_", "\u00e9", "\n"];

function token(rng: Rng): string {
  if (rng.chance(0.1)) return rng.pick(VALUES);
  const key = rng.pick(KEYS);
  const typed = rng.chance(0.2) ? key.toUpperCase() : key;
  let t = `${typed}=${rng.pick(VALUES)}`;
  if (rng.chance(0.3)) t = mutateText(rng, t, ALPHABET);
  return t;
}

const tokens = (rng: Rng, max = 5) => Array.from({ length: rng.int(max + 1) }, () => token(rng));

/** Calls `f`; a CliError CLI_USAGE is the documented refusal, anything else is a failure. */
function refusedOr<T>(f: () => T, accept: (v: T) => void): string {
  let value: T;
  try {
    value = f();
  } catch (error) {
    check(error instanceof CliError, `threw ${String(error)} instead of CliError`);
    check(error.code === "CLI_USAGE", `CliError ${error.code} instead of CLI_USAGE`);
    return "refused";
  }
  accept(value);
  return "accepted";
}

const NAME = new RegExp(NAME_PATTERN);

function valuesTarget(): FuzzTarget {
  return {
    name: "cli-values",
    run(rng) {
      const allowed = KEYS.filter(() => rng.chance(0.4));
      const ts = tokens(rng, 6);
      const outcome = refusedOr(
        () => parseSettings(ts, allowed),
        (s) => {
          check(s.size <= ts.length, "more settings than tokens");
          for (const k of s.keys()) check(allowed.includes(k), `setting ${k} not allowed`);
        },
      );
      const value = rng.chance(0.5) ? rng.pick(VALUES) : mutateText(rng, rng.pick(VALUES), ALPHABET);
      refusedOr(
        () => parseInteger("k", value),
        (n) => check(Number.isInteger(n) && n >= 0 && n <= 999_999_999, `integer ${n}`),
      );
      refusedOr(
        () => parseOnOff("k", value),
        (b) => check(typeof b === "boolean", "on/off"),
      );
      refusedOr(
        () => parseEnableDisable("k", value),
        (b) => check(typeof b === "boolean", "enable/disable"),
      );
      refusedOr(
        () => parseIpv4("k", value),
        (a) => check(isIpv4(a) && a === value, `ipv4 ${a}`),
      );
      refusedOr(
        () => parseDeviceAddress("k", value, 623),
        (d) =>
          check(
            isIpv4(d.addr) && Number.isInteger(d.port) && d.port >= 1 && d.port <= 65535,
            `device ${JSON.stringify(d)}`,
          ),
      );
      refusedOr(
        () => parseAddressWithMask("k", value),
        (m) =>
          check(
            isIpv4(m.addr) &&
              m.prefixLength >= 1 &&
              m.prefixLength <= 32 &&
              prefixToMask(m.prefixLength) === m.mask,
            `address/mask ${JSON.stringify(m)}`,
          ),
      );
      refusedOr(
        () => parseServerName("k", value),
        (n) => check(n.length >= 1 && n.length <= 31 && NAME.test(n), `server name ${n}`),
      );
      refusedOr(
        () => parseSubsystem("k", value),
        (n) => check(Number.isInteger(n) && n >= 1 && n <= SUBSYSTEM_MAX, `subsystem ${n}`),
      );
      const rules = { allowAddr: rng.chance(0.5), managementServer: rng.chance(0.5) };
      const ipdusdTokens = [`mode=${rng.pick(["same", "serial", "Serial", "x"])}`, ...tokens(rng, 3)];
      refusedOr(
        () => parseIpdusdArgs(ipdusdTokens, rules),
        (a) => {
          check(a.offtimeSec >= 5 && a.offtimeSec <= 60, `offtime ${a.offtimeSec}`);
          if (a.mode === "same")
            check(a.wtimeSec === undefined && a.addr === undefined, "same with serial options");
          else check(a.wtimeSec !== undefined && a.wtimeSec >= 5 && a.wtimeSec <= 60, `wtime ${a.wtimeSec}`);
          if (rules.managementServer && a.mode === "serial")
            check(a.offtimeSec >= 30, "serial mserver offtime < 30");
          if (!rules.allowAddr) check(a.addr === undefined, "addr where not allowed");
        },
      );
      return outcome;
    },
  };
}

const BUG = 70;

interface DaemonCommand {
  name: string;
  main: Main;
  subcommands: string[];
}

const DAEMON_COMMANDS: DaemonCommand[] = [
  { name: "haconnserver", main: serverMain, subcommands: ["acrecovery", "reset", "ipdusd"] },
  { name: "haconnact", main: mainAct, subcommands: ["copy", "reload", "restart", "shutdown", "ipdusd"] },
  { name: "haconnsby", main: mainSby, subcommands: ["restart", "shutdown", "ipdusd"] },
];

function argv(rng: Rng, subcommands: readonly string[]): string[] {
  const out: string[] = [];
  if (rng.chance(0.95))
    out.push(rng.chance(0.9) ? rng.pick(subcommands) : mutateText(rng, rng.pick(subcommands), ALPHABET));
  if (rng.chance(0.6))
    out.push(rng.pick(["PSERVER1", "PSERVER2", "mserver1", "bad name", "", "a".repeat(40)]));
  out.push(...tokens(rng, 4));
  if (rng.chance(0.05)) out.push(rng.pick(["--json", "--help", "-h", "--", "--unknown", "-x"]));
  if (rng.chance(0.1))
    out.splice(
      rng.int(out.length + 1),
      0,
      rng.pick(["mode=same", "mode=serial", "address=10001", "offtime=30"]),
    );
  return out;
}

export interface CliFuzzTargets {
  targets: FuzzTarget[];
  close(): Promise<void>;
}

/** Every CLI target; the program targets own a fake daemon and a temporary directory. */
export async function cliFuzzTargets(): Promise<CliFuzzTargets> {
  const daemon = await startFakeDaemon(
    Object.fromEntries(
      [
        "serverReset",
        "serverIpdusd",
        "acrecovery",
        "act.copy",
        "act.reload",
        "act.restart",
        "act.shutdown",
        "act.ipdusd",
        "sby.restart",
        "sby.shutdown",
        "sby.ipdusd",
      ].map((op) => [op, () => ({ message: `${op} done.` })]),
    ),
  );
  const etc = mkdtempSync(join(tmpdir(), "haconn-fuzz-etc-"));
  const env = { HACONN_RUN_DIR: daemon.runDir, HACONN_LOG_DIR: join(etc, "log") };
  const ok = async () => undefined;
  const setup = (args: string[], stdin?: string) =>
    run(setupMain, args, { etcDir: etc, env, checkBmc: ok, ...(stdin ? { stdin: `${stdin}\n` } : {}) });
  // A base configuration with something of each kind, so mod/del/link commands meet real objects.
  for (const args of [
    ["resetpath", "addr=127.0.0.1/8", "port=20001"],
    ["mserver", "add", "mserver1", "addr=127.0.0.1:6231", "account=admin", "check=off"],
    ["pserver", "add", "PSERVER1", "addr=127.0.0.1:6232", "account=admin"],
    ["pserver", "add", "PSERVER2", "addr=127.0.0.1:6233", "account=admin", "cluster=on"],
    ["ipdu", "add", "127.0.0.1:1161", "model=IBM_PDU"],
    ["pserver", "ipduadd", "PSERVER1", "addr=127.0.0.1:1161", "concent=1"],
  ]) {
    const r = await setup(args, "Secret-pw1");
    if (r.code !== 0) throw new Error(`fuzz base configuration: ${args.join(" ")}: ${r.stderr}`);
  }
  const configPath = join(etc, "haconn.json");
  const base = readFileSync(configPath);

  const daemonTarget: FuzzTarget = {
    name: "cli-daemon-commands",
    async run(rng) {
      const command = rng.pick(DAEMON_COMMANDS);
      const args = argv(rng, command.subcommands);
      const before = daemon.calls.length;
      const r = await run(command.main, args, { etcDir: etc, env });
      const sent = daemon.calls.length - before;
      const what = `${command.name} ${JSON.stringify(args)}`;
      check(r.code !== BUG && r.code >= 0 && r.code <= 4, `${what}: exit ${r.code}: ${r.stderr}`);
      check(!/internal error|\n\s+at /.test(r.stderr), `${what}: internal error: ${r.stderr}`);
      if (r.code === 1) check(sent === 0, `${what}: refused (1) but sent ${sent} request(s)`);
      if (
        r.code === 0 &&
        !args.some((a) => a === "--help" || a === "-h") &&
        args.length > 0 &&
        command.subcommands.includes(args[0]!)
      )
        check(sent === 1, `${what}: done (0) after ${sent} request(s)`);
      return `exit ${r.code}`;
    },
  };

  const SETUP = [
    ["resetpath"],
    ["mserver", "add"],
    ["mserver", "mod", "mserver1"],
    ["mserver", "del", "mserver1"],
    ["mserver", "ipduadd", "mserver1"],
    ["mlan", "mserver1"],
    ["pserver", "add", "PSERVER3"],
    ["pserver", "mod", "PSERVER1"],
    ["pserver", "del", "PSERVER2"],
    ["pserver", "ipduadd", "PSERVER2"],
    ["pserver", "ipdudel", "PSERVER1"],
    ["vserver", "PSERVER2"],
    ["ipdu", "add"],
    ["ipdu", "del"],
    ["snmp"],
    ["hispeed"],
    ["bogus"],
    [],
  ];
  const setupTarget: FuzzTarget = {
    name: "cli-setup",
    async run(rng) {
      writeFileSync(configPath, base);
      const args = [...rng.pick(SETUP), ...tokens(rng, 5)];
      if (rng.chance(0.2))
        args[rng.int(args.length)] = mutateText(rng, args[rng.int(args.length)] ?? "", ALPHABET);
      const stdin = rng.pick(["Secret-pw1", "", "x", "pw with spaces 1A", "\u00e9\u00e9\u00e9Aa1"]);
      const r = await setup(args, stdin);
      const what = `haconnsetup ${JSON.stringify(args)}`;
      check(r.code === 0 || r.code === 1 || r.code === 2, `${what}: exit ${r.code}: ${r.stderr}`);
      check(!/internal error|\n\s+at /.test(r.stderr), `${what}: internal error: ${r.stderr}`);
      if (r.code === 1)
        check(readFileSync(configPath).equals(base), `${what}: refused (1) but changed the configuration`);
      check(!r.stderr.includes(stdin) || stdin.length < 3, `${what}: the password was echoed`);
      return `exit ${r.code}`;
    },
  };

  return {
    targets: [valuesTarget(), daemonTarget, setupTarget],
    close: async () => {
      await daemon.stop();
      rmSync(etc, { recursive: true, force: true });
    },
  };
}
