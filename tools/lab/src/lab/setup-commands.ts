// The haconnsetup commands that configure the lab, exactly as an operator would type them
// (passwords and the SNMP community go to standard input, never on the command line).
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { LabError } from "./errors.js";
import type { PairTopology } from "./pair-topology.js";
import type { SimsInfo } from "./sims-info.js";
import {
  LAB_HISPEED_MS,
  LAB_MSERVERS,
  LAB_PDU_RECOVERY_SEC,
  LAB_PDU_TIMEOUT_SEC,
  LAB_SERVERS,
} from "./topology.js";

const run = promisify(execFile);

export type SecretName = "bmc" | "esxi" | "community";

export interface SetupCommand {
  args: string[];
  /** Which secret the command reads from standard input. */
  stdin?: SecretName;
}

/**
 * The whole configuration: the reset path (the VIP in netns mode), both management servers with
 * their iLO and their duplex LAN address (mlan), the managed servers, the ESXi host, the PDU.
 */
export function setupCommands(
  sims: SimsInfo,
  topology: Pick<PairTopology, "resetPath" | "duplex">,
): SetupCommand[] {
  const resetPath = topology.resetPath;
  const bmc = (name: string) => {
    const b = sims.bmcs[name];
    if (!b) throw new LabError("LAB_START_FAILED", `no simulated BMC for ${name}`);
    return b;
  };
  const pdu = `${sims.pdu.address}:${sims.pdu.port}`;
  const cmds: SetupCommand[] = [
    { args: ["resetpath", `addr=${resetPath.addr}/${resetPath.prefixLength}`, `port=${resetPath.port}`] },
  ];
  for (const name of LAB_MSERVERS) {
    const b = bmc(name);
    cmds.push({
      args: ["mserver", "add", name, `addr=${b.addr}:${b.port}`, `account=${b.account}`, "cipher=3"],
      stdin: "bmc",
    });
    const d = topology.duplex[name];
    cmds.push({ args: ["mlan", name, `addr=${d.addr}`, `port=${d.port}`] });
  }
  for (const s of LAB_SERVERS) {
    const b = bmc(s.name);
    const extra = [
      ...(s.cluster ? ["cluster=on"] : []),
      ...(s.outlets
        ? ["ipdusd=on", `timeout=${LAB_PDU_TIMEOUT_SEC}`, `recoverytime=${LAB_PDU_RECOVERY_SEC}`]
        : []),
    ];
    cmds.push({
      args: [
        "pserver",
        "add",
        s.name,
        `addr=${b.addr}:${b.port}`,
        `account=${b.account}`,
        "cipher=3",
        ...extra,
      ],
      stdin: "bmc",
    });
  }
  for (const s of LAB_SERVERS.filter((x) => x.guests)) {
    cmds.push({
      args: [
        "vserver",
        s.name,
        `addr=${sims.esxi.address}`,
        `port=${sims.esxi.port}`,
        `account=${sims.esxi.user}`,
        "VMware=Enable",
        `hostkey=${sims.esxi.fingerprint}`,
      ],
      stdin: "esxi",
    });
  }
  cmds.push({ args: ["snmp"], stdin: "community" });
  cmds.push({ args: ["ipdu", "add", pdu, "model=IBM_PDU"] });
  for (const s of LAB_SERVERS)
    for (const outlet of s.outlets ?? [])
      cmds.push({ args: ["pserver", "ipduadd", s.name, `addr=${pdu}`, `concent=${outlet}`] });
  cmds.push({ args: ["hispeed", `resettime=${LAB_HISPEED_MS}`] });
  return cmds;
}

export function formatSetupCommand(c: SetupCommand): string {
  const input =
    c.stdin === undefined ? "" : `   # ${c.stdin === "community" ? "community" : "password"} on stdin`;
  return `$ haconnsetup ${c.args.join(" ")}${input}`;
}

/** Runs each command with the real bin/haconnsetup, printing it first; stops at the first refusal. */
export async function runSetup(
  commands: SetupCommand[],
  options: {
    bin: string;
    env: NodeJS.ProcessEnv;
    secrets: Record<SecretName, string>;
    print: (l: string) => void;
    /** Runs each command on a node: ["ip", "netns", "exec", <its namespace>] in netns mode. */
    prefix?: string[];
  },
): Promise<void> {
  for (const c of commands) {
    options.print(formatSetupCommand(c));
    const argv = [...(options.prefix ?? []), join(options.bin, "haconnsetup"), ...c.args];
    const child = run(argv[0]!, argv.slice(1), { env: options.env, timeout: 30_000 });
    child.child.stdin?.end(c.stdin ? `${options.secrets[c.stdin]}\n` : "");
    try {
      const { stdout } = await child;
      for (const line of stdout.split("\n").filter((l) => l.trim() !== "")) options.print(`  ${line}`);
    } catch (error) {
      const e = error as { stderr?: string; stdout?: string; message: string };
      throw new LabError(
        "LAB_SETUP_FAILED",
        `haconnsetup ${c.args.join(" ")} was refused: ${(e.stderr || e.stdout || e.message).trim()}`,
      );
    }
  }
}
