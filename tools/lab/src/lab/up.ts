// `lab up`: cleans what a previous lab left, starts the simulators (one detached supervisor),
// configures the connector with the real haconnsetup commands (printed), starts haconnd
// detached, and registers every HA monitor once. State goes to state.json as it happens, so a
// crash at any point leaves a state `lab up` or `lab down` can clean.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { isLabDir, labDown } from "./down.js";
import { LabError } from "./errors.js";
import { LabMonitors } from "./monitors.js";
import { labPaths, programs, repoRoot } from "./paths.js";
import { freePortOn } from "./ports.js";
import { isLabProcess, labProcesses, markEnv, spawnDetached } from "./processes.js";
import { runSetup, type SecretName, setupCommands } from "./setup-commands.js";
import { SIMS_ENV, type SimsInfo, type SimsSpec } from "./sims-info.js";
import { productEnv } from "./show.js";
import { newState, readState, type UpState, writeState } from "./state.js";
import {
  clusterSystems,
  LAB_CLUSTERS,
  LAB_NODE,
  LAB_RESETPATH_ADDR,
  LAB_SERVERS,
  LAB_SYSTEMS,
  labBmcs,
  systemLabel,
} from "./topology.js";

export interface UpOptions {
  dir: string;
  print: (line: string) => void;
}

const secret = (prefix: string) => `${prefix}${randomBytes(6).toString("hex")}`;

async function waitFile(path: string, pid: number, dir: string, what: string, ms: number, log: string) {
  const until = Date.now() + ms;
  while (!existsSync(path)) {
    if (!isLabProcess(pid, dir) || Date.now() > until) {
      const tail = existsSync(log) ? readFileSync(log, "utf8").split("\n").slice(-15).join("\n") : "";
      throw new LabError("LAB_START_FAILED", `${what} did not come up:\n${tail}`);
    }
    await sleep(100);
  }
}

async function waitReadyLine(pid: number, dir: string, log: string, ms: number): Promise<string> {
  const until = Date.now() + ms;
  for (;;) {
    const text = existsSync(log) ? readFileSync(log, "utf8") : "";
    const line = text.split("\n").find((l) => l.startsWith("haconnd ready"));
    if (line) return line;
    if (!isLabProcess(pid, dir) || Date.now() > until)
      throw new LabError(
        "LAB_START_FAILED",
        `haconnd did not come up:\n${text.split("\n").slice(-15).join("\n")}`,
      );
    await sleep(50);
  }
}

/** Brings the lab up; when any step fails, takes down what it started and rethrows. */
export async function labUp(options: UpOptions): Promise<UpState> {
  const prog = programs(repoRoot());
  const { dir, print } = options;
  if (existsSync(dir) && !isLabDir(dir) && readdirSync(dir).length > 0)
    throw new LabError(
      "LAB_USAGE",
      `${dir} exists and is not a lab directory: choose another HACONN_LAB_DIR`,
    );
  if (readState(dir) || labProcesses(dir).length > 0 || isLabDir(dir)) {
    print(`lab: cleaning up what a previous lab left in ${dir}`);
    await labDown({ dir, print: (l) => print(`  ${l}`) });
  }
  try {
    return await start(options, prog);
  } catch (error) {
    print("lab: up failed; taking down what it started");
    await labDown({ dir, print: (l) => print(`  ${l}`) });
    throw error;
  }
}

async function start(options: UpOptions, prog: ReturnType<typeof programs>): Promise<UpState> {
  const { dir, print } = options;
  const p = labPaths(dir);
  print("lab: mode loopback — one haconnd (HACON1) on 127.0.0.0/8; pair mode (two nodes in network");
  print("     namespaces with a real virtual IP) is not yet available");
  for (const d of [p.dir, p.etc, p.log, p.run, p.simsTmp]) mkdirSync(d, { recursive: true, mode: 0o700 });
  writeFileSync(p.marker, "a haconn lab directory: `lab down` removes it\n");
  const state = newState(dir);
  writeState(state);

  const secrets: Record<SecretName, string> = {
    bmc: secret("Lab-"),
    esxi: secret("Esx-"),
    community: secret("lab"),
  };
  const spec: SimsSpec = {
    bmcs: labBmcs(),
    pduOutlets: 12,
    guests: LAB_SERVERS.flatMap((s) => s.guests ?? []),
    esxiUser: "root",
    simsInfo: p.simsInfo,
    pduRecords: p.pduRecords,
    esxiRecords: p.esxiRecords,
  };
  writeFileSync(p.simsSpec, `${JSON.stringify(spec, null, 2)}\n`);
  const started = Date.now();
  const simsPid = spawnDetached(process.execPath, ["--enable-source-maps", prog.simsSupervisor, p.simsSpec], {
    env: markEnv(dir, {
      ...process.env,
      TMPDIR: p.simsTmp,
      [SIMS_ENV.bmcPassword]: secrets.bmc,
      [SIMS_ENV.esxiPassword]: secrets.esxi,
      [SIMS_ENV.community]: secrets.community,
    }),
    outFile: p.simsOut,
    cwd: dir,
  });
  state.processes.push({ name: "lab-sims", pid: simsPid });
  writeState(state);
  print(`lab: starting ${spec.bmcs.length} BMCs (ipmi_sim), a PDU (SNMP agent) and an ESXi host (ssh)`);
  await waitFile(p.simsInfo, simsPid, dir, "the simulators", 90_000, p.simsOut);
  const sims = JSON.parse(readFileSync(p.simsInfo, "utf8")) as SimsInfo;
  state.sims = sims;
  print(`lab: simulators answer (${Date.now() - started} ms)`);

  state.resetPath = { addr: LAB_RESETPATH_ADDR, port: await freePortOn([LAB_RESETPATH_ADDR]) };
  const ports: Partial<Record<string, number>> = {};
  for (const c of LAB_CLUSTERS) ports[c] = await freePortOn(clusterSystems(c).map((s) => s.address));
  state.clusterPorts = ports as UpState["clusterPorts"];
  state.node = LAB_NODE;
  writeState(state);

  print("");
  print(`== configuration (HACONN_ETC_DIR=${p.etc}), as an operator types it:`);
  await runSetup(setupCommands(sims, state.resetPath), {
    bin: prog.bin,
    env: productEnv(dir),
    secrets,
    print,
  });

  print("");
  const daemonPid = spawnDetached(join(prog.bin, "haconnd"), [], {
    env: markEnv(dir, {
      ...productEnv(dir),
      HACONN_NODE_NAME: LAB_NODE,
      HACONN_KDUMP_PORT: "off",
    }),
    outFile: p.haconndOut,
    cwd: dir,
  });
  state.processes.push({ name: "haconnd", pid: daemonPid });
  writeState(state);
  print(`$ HACONN_NODE_NAME=${LAB_NODE} haconnd   # detached, output in ${p.haconndOut}`);
  print(`  ${await waitReadyLine(daemonPid, dir, p.haconndOut, 30_000)}`);

  const upState = state as UpState;
  const monitors = await LabMonitors.start(upState);
  try {
    const { refused } = await monitors.registerAll();
    if (refused.length > 0)
      throw new LabError("LAB_START_FAILED", `registration refused: ${refused.join("; ")}`);
  } finally {
    await monitors.stop();
  }
  state.phase = "up";
  writeState(state);
  print("");
  print("== HA monitors registered (CHECK):");
  for (const c of LAB_CLUSTERS) {
    const members = clusterSystems(c).map((s) => `${systemLabel(s)}=${s.subsystem}@${s.address}`);
    print(
      `  cluster ${c.padEnd(10)} port ${String(upState.clusterPorts[c]).padEnd(5)}  ${members.join("  ")}`,
    );
  }
  print(`lab: up in ${Date.now() - started} ms — ${LAB_SYSTEMS.length} systems, state in ${p.state}`);
  return upState;
}
