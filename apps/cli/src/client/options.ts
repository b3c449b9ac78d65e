// haconnclient's command line, parsed and checked into a typed form before anything is sent.
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import {
  checkEndpoint,
  checkName,
  checkSubsystem,
  ClientError,
  DEFAULT_KEY_FILE,
  type Endpoint,
  parseEndpoint,
  type Registration,
} from "@haconn/client";

export const COMMANDS = ["check", "reset", "dump-notice", "listen"] as const;
export type CommandName = (typeof COMMANDS)[number];

/** Default --timeout (seconds) per command; listen has none (it runs until stopped). */
export const DEFAULT_TIMEOUT_SEC: Record<CommandName, number | undefined> = {
  check: 5,
  reset: 120,
  "dump-notice": 60,
  listen: undefined,
};

export interface ClientCommand {
  command: CommandName;
  connector: Endpoint;
  subsystem: number;
  bind: Endpoint;
  /** The key file to sign with, or undefined with --no-key. */
  keyFile: string | undefined;
  json: boolean;
  /** ms; undefined = no bound (listen only). */
  timeoutMs: number | undefined;
  registration: Registration | undefined;
  target?: { subsystem: number; systemName: string };
  clusterPort: number;
  /** reset: set the FENCE flag (--fence): reset even a target the connector counts as reset or off. */
  fence: boolean;
  /** listen: CHECK period in ms. */
  intervalMs: number;
  /** listen: stop after this many ATTENTIONs. */
  count: number | undefined;
}

const SPEC = {
  connector: { type: "string" },
  port: { type: "string" },
  subsystem: { type: "string" },
  bind: { type: "string" },
  "key-file": { type: "string" },
  "no-key": { type: "boolean" },
  timeout: { type: "string" },
  json: { type: "boolean" },
  system: { type: "string" },
  vm: { type: "string" },
  pair: { type: "string" },
  interval: { type: "string" },
  target: { type: "string" },
  "target-system": { type: "string" },
  "cluster-port": { type: "string" },
  fence: { type: "boolean" },
  count: { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "V" },
} as const;

export type Parsed =
  | { help: true; command?: CommandName }
  | { version: true; help: false }
  | ({ help: false; version?: false } & ClientCommand);

function bad(message: string): ClientError {
  return new ClientError("CLIENT_BAD_OPTION", message);
}

function int(text: string | undefined, what: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw bad(`${what} must be an integer in ${min}..${max}, got ${JSON.stringify(text)}`);
  }
  return n;
}

function required<T>(value: T | undefined, what: string, command: string): T {
  if (value === undefined) throw bad(`${command} needs ${what}`);
  return value;
}

/** Parses argv (without node and the script). Throws ClientError(CLIENT_BAD_OPTION). */
export function parseCommandLine(
  argv: readonly string[],
  keyFileExists: (path: string) => boolean = existsSync,
): Parsed {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof SPEC; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: SPEC, allowPositionals: true, strict: true });
  } catch (e) {
    throw bad((e as Error).message);
  }
  const v = parsed.values;
  const [name, ...rest] = parsed.positionals;
  if (name !== undefined && !COMMANDS.includes(name as CommandName)) {
    throw bad(`unknown command ${JSON.stringify(name)}; expected one of ${COMMANDS.join(", ")}`);
  }
  const command = name as CommandName | undefined;
  if (v.version && !v.help) return { version: true, help: false };
  if (v.help || command === undefined) return command ? { help: true, command } : { help: true };
  if (rest.length > 0) throw bad(`unexpected argument ${JSON.stringify(rest[0])}`);

  const port = int(v.port, "--port", 1, 65535);
  const connector = parseEndpoint(
    required(v.connector, "--connector <ip>[:<port>]", command),
    "--connector",
    port,
  );
  const subsystem = checkSubsystem(
    required(int(v.subsystem, "--subsystem", 1, 0xffff_ffff), "--subsystem <n>", command),
    "--subsystem",
  );
  const bind = v.bind === undefined ? { address: "0.0.0.0", port: 0 } : parseBindEndpoint(v.bind);

  if (v["no-key"] && v["key-file"] !== undefined) throw bad("--key-file and --no-key exclude each other");
  let keyFile: string | undefined;
  if (!v["no-key"]) {
    keyFile = v["key-file"] ?? DEFAULT_KEY_FILE;
    if (v["key-file"] === undefined && !keyFileExists(keyFile)) {
      throw new ClientError(
        "KEY_FILE_IO",
        `no key file at ${DEFAULT_KEY_FILE}: give --key-file <file>, or --no-key to send unsigned frames`,
      );
    }
  }

  const timeoutSec = int(v.timeout, "--timeout", 1, 86_400) ?? DEFAULT_TIMEOUT_SEC[command];
  const system = v.system === undefined ? undefined : checkName(v.system, "--system");
  const vm = v.vm === undefined ? undefined : checkName(v.vm, "--vm");
  const intervalSec = int(v.interval, "--interval", 1, 3600) ?? 10;
  const registration: Registration | undefined = system
    ? {
        systemName: system,
        ...(vm ? { kind: "guest" as const, vmName: vm } : {}),
        pairSubsystem: int(v.pair, "--pair", 1, 0xffff_ffff) ?? 0,
        intervalSec,
      }
    : undefined;
  if ((command === "check" || command === "listen") && !registration)
    throw bad(`${command} needs --system <name>`);

  if (v.fence && command !== "reset") throw bad("--fence is an option of reset only");
  let target: ClientCommand["target"];
  if (command === "reset") {
    target = {
      subsystem: required(int(v.target, "--target", 1, 0xffff_ffff), "--target <subsystem>", command),
      systemName: checkName(
        required(v["target-system"], "--target-system <name>", command),
        "--target-system",
      ),
    };
  }
  return {
    help: false,
    command,
    connector,
    subsystem,
    bind,
    keyFile,
    json: v.json ?? false,
    timeoutMs: timeoutSec === undefined ? undefined : timeoutSec * 1000,
    registration,
    ...(target ? { target } : {}),
    clusterPort: int(v["cluster-port"], "--cluster-port", 1, 65535) ?? 0,
    fence: v.fence ?? false,
    intervalMs: intervalSec * 1000,
    count: int(v.count, "--count", 1, 1_000_000),
  };
}

/** "<ip>" or "<ip>:<port>" (port 0 or absent: any free port). */
function parseBindEndpoint(text: string): Endpoint {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})(?::(\d{1,5}))?$/.exec(text);
  if (!m) throw bad(`--bind must be <ip>[:<port>], got ${JSON.stringify(text)}`);
  const port = m[2] === undefined ? 0 : Number(m[2]);
  return checkEndpoint({ address: m[1]!, port }, "--bind", 0);
}
