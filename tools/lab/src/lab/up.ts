// `lab up`: cleans what a previous lab left, builds the pair's network (netns mode: three
// namespaces, a duplex veth, two bridges, a real VIP; loopback otherwise), starts the simulators
// (one detached supervisor), configures HACON1 with the real haconnsetup commands (printed),
// gives HACON2 the same configuration and duplex key, starts both haconnd nodes detached, waits
// for the pair (one active, one standby, link OK) and registers every HA monitor once. State goes
// to state.json as it happens, so a crash at any point leaves a state `lab up`/`lab down` can clean.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { randomBytes } from "node:crypto";
import { formatKeyFile, generateAuthKey } from "@haconn/protocol";
import { isLabDir, labDown } from "./down.js";
import { LabError } from "./errors.js";
import {
  buildNetns,
  netnsAvailable,
  pruneRegistry,
  registerNetns,
  removeNetns,
  staleNetnsPrefixes,
} from "./lab-netns.js";
import { registerLabMonitors } from "./monitors.js";
import { reenterLabNetns } from "./netns-exec.js";
import {
  daemonCommandLine,
  describePair,
  installNodeResetHook,
  nodeEnv,
  onNode,
  renderNodeResetHook,
  startNode,
  waitNodeReady,
  waitPairOk,
} from "./nodes.js";
import {
  describeNetns,
  LAB_NODES,
  type LabMode,
  loopbackTopology,
  monitorAddress,
  netnsPlan,
  netnsTopology,
  type PairTopology,
} from "./pair-topology.js";
import { labPaths, nodePaths, programs, repoRoot } from "./paths.js";
import { freePortOn } from "./ports.js";
import { isRunning, labProcesses, markEnv, spawnDetached } from "./processes.js";
import { runSetup, type SecretName, setupCommands } from "./setup-commands.js";
import { SIMS_ENV, type SimsInfo, type SimsSpec } from "./sims-info.js";
import { newState, readState, type LabState, type UpState, writeState } from "./state.js";
import { clusterSystems, LAB_CLUSTERS, LAB_SERVERS, LAB_SYSTEMS, labBmcs, systemLabel } from "./topology.js";

export interface UpOptions {
  dir: string;
  print: (line: string) => void;
  /** Everything on loopback even where network namespaces are available. */
  loopback?: boolean;
}

const secret = (prefix: string) => `${prefix}${randomBytes(6).toString("hex")}`;

async function waitFile(path: string, pid: number, what: string, ms: number, log: string) {
  const until = Date.now() + ms;
  while (!existsSync(path)) {
    if (!isRunning(pid) || Date.now() > until) {
      const tail = existsSync(log) ? readFileSync(log, "utf8").split("\n").slice(-15).join("\n") : "";
      throw new LabError("LAB_START_FAILED", `${what} did not come up:\n${tail}`);
    }
    await sleep(100);
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
  for (const prefix of staleNetnsPrefixes()) {
    const n = removeNetns(prefix);
    print(
      `lab: removed ${n} network namespace${n === 1 ? "" : "s"} left by a lab that is gone (${prefix}-*)`,
    );
  }
  pruneRegistry();
  try {
    return await start(options, prog);
  } catch (error) {
    print("lab: up failed; taking down what it started");
    await labDown({ dir, print: (l) => print(`  ${l}`) });
    throw error;
  }
}

function chooseMode(options: UpOptions): { mode: LabMode; why: string } {
  if (options.loopback) return { mode: "loopback", why: "--loopback asked for" };
  if (process.getuid?.() !== 0) return { mode: "loopback", why: "not root: no network namespaces" };
  if (!netnsAvailable()) return { mode: "loopback", why: "network namespaces are not available here" };
  return { mode: "netns", why: "" };
}

async function topologyFor(mode: LabMode, dir: string): Promise<PairTopology> {
  if (mode === "netns") return netnsTopology(dir, LAB_CLUSTERS);
  const clusters: Record<string, number> = {};
  for (const c of LAB_CLUSTERS) clusters[c] = await freePortOn(clusterSystems(c).map((s) => s.address));
  return loopbackTopology({
    resetPath: await freePortOn(["127.0.77.1"]),
    duplex: await freePortOn(["127.0.77.41", "127.0.77.42"], { tcp: true }),
    clusters,
  });
}

function printMode(print: (l: string) => void, t: PairTopology, why: string): void {
  if (t.netns) {
    print("lab: mode netns — HACON1 and HACON2 are separate hosts in network namespaces, with a duplex");
    print(`     veth, a reset-path bridge and a real virtual IP ${t.resetPath.addr} (moved with ip addr)`);
  } else {
    print("lab: mode loopback — HACON1 and HACON2 run as a pair on 127.0.0.0/8: no virtual IP, only the");
    print(`     active binds the reset path ${t.resetPath.addr}:${t.resetPath.port} (${why})`);
  }
}

async function startSims(
  state: LabState,
  prog: ReturnType<typeof programs>,
  secrets: Record<SecretName, string>,
) {
  const p = labPaths(state.dir);
  const t = state.topology!;
  const spec: SimsSpec = {
    bmcs: labBmcs(),
    address: t.simsAddress,
    ...(t.netns ? { netns: t.netns.lab } : {}),
    pduOutlets: 12,
    guests: LAB_SERVERS.flatMap((s) => s.guests ?? []),
    esxiUser: "root",
    simsInfo: p.simsInfo,
    pduRecords: p.pduRecords,
    esxiRecords: p.esxiRecords,
  };
  writeFileSync(p.simsSpec, `${JSON.stringify(spec, null, 2)}\n`);
  const argv = [
    ...(t.netns ? ["ip", "netns", "exec", t.netns.lab] : []),
    process.execPath,
    "--enable-source-maps",
    prog.simsSupervisor,
    p.simsSpec,
  ];
  const pid = spawnDetached(argv[0]!, argv.slice(1), {
    env: markEnv(state.dir, {
      ...process.env,
      TMPDIR: p.simsTmp,
      [SIMS_ENV.bmcPassword]: secrets.bmc,
      [SIMS_ENV.esxiPassword]: secrets.esxi,
      [SIMS_ENV.community]: secrets.community,
    }),
    outFile: p.simsOut,
    cwd: state.dir,
  });
  state.processes.push({ name: "lab-sims", pid });
  writeState(state);
  return { pid, count: spec.bmcs.length };
}

/** The BMCs of HACON1 and HACON2 make a hardware reset real (the node's haconnd dies, its VIP goes). */
function armResetHooks(state: LabState, sims: SimsInfo): void {
  const t = state.topology!;
  for (const node of LAB_NODES) {
    const bmc = sims.bmcs[node];
    if (!bmc) throw new LabError("LAB_START_FAILED", `no simulated BMC for ${node}`);
    const hook = renderNodeResetHook({
      node,
      dir: state.dir,
      pidFile: nodePaths(state.dir, node).pid,
      logFile: join(bmc.dir, "on-reset.log"),
      ...(t.netns
        ? {
            netns: {
              ns: t.netns.nodes[node],
              vip: t.resetPath.addr,
              prefixLength: t.resetPath.prefixLength,
              dev: t.resetPathDev,
            },
          }
        : {}),
    });
    installNodeResetHook(bmc.dir, hook);
  }
}

/** HACON2 gets HACON1's configuration directory, as an operator copies it between the servers. */
function copyConfiguration(dir: string, print: (l: string) => void): void {
  const from = nodePaths(dir, "HACON1").etc;
  const to = nodePaths(dir, "HACON2").etc;
  const files = readdirSync(from).filter(
    (f) => statSync(join(from, f)).isFile() && !/\.(lock|bak|tmp)$/.test(f),
  );
  print(
    `$ scp -p HACON1:$HACONN_ETC_DIR/{${files.join(",")}} HACON2:$HACONN_ETC_DIR/   # the same files on both`,
  );
  for (const f of files) copyFileSync(join(from, f), join(to, f));
}

async function start(options: UpOptions, prog: ReturnType<typeof programs>): Promise<UpState> {
  const { dir, print } = options;
  const p = labPaths(dir);
  const { mode, why } = chooseMode(options);
  for (const d of [p.dir, p.simsTmp]) mkdirSync(d, { recursive: true, mode: 0o700 });
  for (const n of LAB_NODES) {
    const np = nodePaths(dir, n);
    for (const d of [np.etc, np.log, np.run]) mkdirSync(d, { recursive: true, mode: 0o700 });
  }
  writeFileSync(p.marker, "a haconn lab directory: `lab down` removes it\n");
  const state = newState(dir, mode);
  writeState(state);
  const started = Date.now();

  const topology = await topologyFor(mode, dir);
  state.topology = topology;
  state.resetPath = { addr: topology.resetPath.addr, port: topology.resetPath.port };
  state.clusterPorts = topology.clusterPorts as UpState["clusterPorts"];
  writeState(state);
  printMode(print, topology, why);
  if (topology.netns) {
    registerNetns(topology.netns, dir);
    buildNetns(topology.netns, netnsPlan(topology, LAB_SYSTEMS));
    for (const line of describeNetns(topology)) print(line);
  }

  const secrets: Record<SecretName, string> = {
    bmc: secret("Lab-"),
    esxi: secret("Esx-"),
    community: secret("lab"),
  };
  const sims = await startSims(state, prog, secrets);
  print(
    `lab: starting ${sims.count} BMCs (ipmi_sim), a PDU (SNMP agent) and an ESXi host (ssh) on ${topology.simsAddress}`,
  );
  await waitFile(p.simsInfo, sims.pid, "the simulators", 90_000, p.simsOut);
  const info = JSON.parse(readFileSync(p.simsInfo, "utf8")) as SimsInfo;
  state.sims = info;
  writeState(state);
  armResetHooks(state, info);
  print(`lab: simulators answer (${Date.now() - started} ms); the BMCs of HACON1/HACON2 make a reset real`);

  const h1 = nodePaths(dir, "HACON1");
  print("");
  print(
    `== configuration, typed on HACON1 (HACONN_ETC_DIR=${h1.etc}${topology.netns ? `, inside ${topology.netns.nodes.HACON1}` : ""}):`,
  );
  await runSetup(setupCommands(info, topology), {
    bin: prog.bin,
    env: nodeEnv(dir, "HACON1"),
    secrets,
    print,
    prefix: onNode(topology, "HACON1"),
  });
  print(
    "# haconnsetup resetpath created $HACONN_ETC_DIR/resetpath.key: the lab runs in key mode, its HA monitors sign with it (docs/security.md)",
  );
  print(
    `$ (umask 077; printf '1 %s send\\n' "$(openssl rand -hex 32)" > $HACONN_ETC_DIR/duplex.key)   # duplex LAN key`,
  );
  const key = generateAuthKey(1);
  writeFileSync(join(h1.etc, "duplex.key"), formatKeyFile({ keys: [key], send: key }), { mode: 0o600 });
  copyConfiguration(dir, print);

  print("");
  const starts = LAB_NODES.map((n) => {
    const r = startNode(state, n, prog.bin);
    print(`${daemonCommandLine(n, topology)}   # detached, output in ${nodePaths(dir, n).out}`);
    return { n, ...r };
  });
  for (const s of starts) print(`  ${await waitNodeReady(dir, s.n, s.pid, s.outOffset)}`);
  const pair = await waitPairOk(dir, 40_000);
  if (!pair.ok) throw new LabError("LAB_START_FAILED", `the pair did not settle: ${describePair(pair.view)}`);
  print(`lab: pair OK — ${describePair(pair.view)}`);

  const upState = state as UpState;
  writeState(upState);
  const registered = reenterLabNetns(upState, ["_register"]);
  if (registered === undefined) await registerLabMonitors(upState);
  else if (registered !== 0)
    throw new LabError("LAB_START_FAILED", "the HA monitors could not register (see above)");
  state.phase = "up";
  writeState(state);
  print("");
  print("== HA monitors registered (CHECK):");
  for (const c of LAB_CLUSTERS) {
    const members = clusterSystems(c).map(
      (s) => `${systemLabel(s)}=${s.subsystem}@${monitorAddress(topology, s)}`,
    );
    print(
      `  cluster ${c.padEnd(10)} port ${String(upState.clusterPorts[c]).padEnd(5)}  ${members.join("  ")}`,
    );
  }
  print(
    `lab: up in ${Date.now() - started} ms — mode ${mode}, 2 haconnd nodes, ${LAB_SYSTEMS.length} systems, state in ${p.state}`,
  );
  return upState;
}
