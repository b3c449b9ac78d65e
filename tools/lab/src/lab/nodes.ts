// The two haconnd nodes of the lab: started detached (inside their namespace in netns mode),
// each with its own etc/log/run, its pid in a file the BMC's reset hook reads; killed, stopped
// and restarted by the drills. A hardware reset through a management server's BMC is made
// real by that hook: the node's haconnd dies and its addresses go, as when a server reboots.
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { nodeStatus, ownRole } from "./control.js";
import { LabError } from "./errors.js";
import { LAB_NODES, type LabNode, type PairTopology } from "./pair-topology.js";
import { isLabProcess, isRunning, LAB_MARK, markEnv, spawnDetached } from "./processes.js";
import { nodePaths } from "./paths.js";
import { type LabState, nodeProcessName, setProcess } from "./state.js";

/** The environment haconnd and the product's commands need for one node. */
export function nodeEnv(
  dir: string,
  node: LabNode,
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const p = nodePaths(dir, node);
  return { ...base, HACONN_ETC_DIR: p.etc, HACONN_LOG_DIR: p.log, HACONN_RUN_DIR: p.run };
}

/** argv prefix that runs a command on `node` (inside its namespace in netns mode). */
export function onNode(topology: PairTopology, node: LabNode): string[] {
  return topology.netns ? ["ip", "netns", "exec", topology.netns.nodes[node]] : [];
}

export function daemonEnv(dir: string, node: LabNode, topology: PairTopology): NodeJS.ProcessEnv {
  return markEnv(dir, {
    ...nodeEnv(dir, node),
    HACONN_NODE_NAME: node,
    HACONN_VIP: topology.vipMode,
    HACONN_KDUMP_PORT: "off",
  });
}

/** How the lab prints the start of a node (the operator's view). */
export function daemonCommandLine(node: LabNode, topology: PairTopology): string {
  const where = topology.netns ? `ip netns exec ${topology.netns.nodes[node]} ` : "";
  return `$ ${where}env HACONN_NODE_NAME=${node} HACONN_VIP=${topology.vipMode} haconnd`;
}

export function nodePid(dir: string, node: LabNode): number | undefined {
  const f = nodePaths(dir, node).pid;
  if (!existsSync(f)) return undefined;
  const pid = Number(readFileSync(f, "utf8").trim());
  return Number.isSafeInteger(pid) && pid > 0 && isLabProcess(pid, dir) ? pid : undefined;
}

export function nodeRunning(dir: string, node: LabNode): boolean {
  return nodePid(dir, node) !== undefined;
}

/** Starts a node's haconnd detached; returns its pid and where its output starts in haconnd.out. */
export function startNode(
  state: LabState,
  node: LabNode,
  bin: string,
): { pid: number; outOffset: number; startedAt: number } {
  const topology = state.topology;
  if (!topology) throw new LabError("LAB_NOT_UP", "the lab has no topology");
  const p = nodePaths(state.dir, node);
  const outOffset = existsSync(p.out) ? statSync(p.out).size : 0;
  const argv = [...onNode(topology, node), join(bin, "haconnd")];
  const startedAt = Date.now();
  const pid = spawnDetached(argv[0]!, argv.slice(1), {
    env: daemonEnv(state.dir, node, topology),
    outFile: p.out,
    cwd: state.dir,
  });
  writeFileSync(p.pid, `${pid}\n`);
  setProcess(state, nodeProcessName(node), pid);
  return { pid, outOffset, startedAt };
}

/** Resolves with the node's "haconnd ready" line (written after `outOffset`). */
export async function waitNodeReady(
  dir: string,
  node: LabNode,
  pid: number,
  outOffset: number,
  timeoutMs = 30_000,
): Promise<string> {
  const out = nodePaths(dir, node).out;
  const until = Date.now() + timeoutMs;
  for (;;) {
    const text = existsSync(out) ? readFileSync(out, "utf8").slice(outOffset) : "";
    const line = text.split("\n").find((l) => l.startsWith("haconnd ready"));
    if (line) return line;
    if (!isRunning(pid) || Date.now() > until)
      throw new LabError(
        "LAB_START_FAILED",
        `haconnd ${node} did not come up:\n${text.split("\n").slice(-15).join("\n")}`,
      );
    await sleep(50);
  }
}

/** Signals a node's haconnd (its process group); false when it is not running. */
export function signalNode(dir: string, node: LabNode, sig: NodeJS.Signals): boolean {
  const pid = nodePid(dir, node);
  if (pid === undefined) return false;
  try {
    process.kill(-pid, sig);
  } catch {
    process.kill(pid, sig);
  }
  return true;
}

export interface PairView {
  roles: Record<LabNode, string | undefined>;
  links: Record<LabNode, string | undefined>;
}

export async function pairView(dir: string, timeoutMs = 1000): Promise<PairView> {
  const [s1, s2] = await Promise.all(LAB_NODES.map((n) => nodeStatus(dir, n, timeoutMs)));
  return {
    roles: { HACON1: ownRole(s1, "HACON1"), HACON2: ownRole(s2, "HACON2") },
    links: { HACON1: s1?.link, HACON2: s2?.link },
  };
}

/** One active, one standby, both links OK. */
export function pairOk(v: PairView): boolean {
  const roles = LAB_NODES.map((n) => v.roles[n]).sort();
  return roles[0] === "active" && roles[1] === "standby" && LAB_NODES.every((n) => v.links[n] === "OK");
}

export function describePair(v: PairView): string {
  return LAB_NODES.map((n) => `${n} ${v.roles[n] ?? "not answering"} (link ${v.links[n] ?? "--"})`).join(
    ", ",
  );
}

/** Waits until the pair is OK; returns the last view and whether it got there. */
export async function waitPairOk(dir: string, timeoutMs: number): Promise<{ ok: boolean; view: PairView }> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const view = await pairView(dir);
    if (pairOk(view)) return { ok: true, view };
    if (Date.now() > until) return { ok: false, view };
    await sleep(200);
  }
}

export async function activeNode(dir: string): Promise<LabNode | undefined> {
  const v = await pairView(dir);
  const actives = LAB_NODES.filter((n) => v.roles[n] === "active");
  return actives.length === 1 ? actives[0] : undefined;
}

/**
 * The reset hook of a management server's BMC (run by the simulated BMC before it acknowledges
 * a hardware reset): the node's haconnd dies (only a process that still carries this lab's
 * mark) and, in netns mode, the VIP leaves its interface, as when the server reboots.
 */
export function renderNodeResetHook(o: {
  node: LabNode;
  dir: string;
  pidFile: string;
  logFile: string;
  netns?: { ns: string; vip: string; prefixLength: number; dev: string };
}): string {
  const q = (s: string) => {
    if (/['\n]/.test(s)) throw new LabError("LAB_USAGE", `unsafe path for a hook: ${s}`);
    return `'${s}'`;
  };
  const lines = [
    "#!/bin/sh",
    `# Written by \`lab up\`: a hardware reset of ${o.node} is real. Its haconnd dies, its addresses go.`,
    "PATH=/usr/sbin:/sbin:/usr/bin:/bin:$PATH",
    `echo "$(date +%s%3N) reset of ${o.node}" >> ${q(o.logFile)}`,
    `pid=$(cat ${q(o.pidFile)} 2>/dev/null)`,
    `if [ -n "$pid" ] && tr '\\0' '\\n' < "/proc/$pid/environ" 2>/dev/null | grep -qxF ${q(`${LAB_MARK}=${o.dir}`)}; then`,
    `  kill -9 -- "-$pid" 2>/dev/null || kill -9 "$pid" 2>/dev/null`,
    "fi",
  ];
  if (o.netns)
    lines.push(
      `ip -n ${q(o.netns.ns)} addr del ${o.netns.vip}/${o.netns.prefixLength} dev ${o.netns.dev} 2>/dev/null`,
    );
  lines.push("exit 0", "");
  return lines.join("\n");
}

export function installNodeResetHook(bmcDir: string, hook: string): void {
  const path = join(bmcDir, "on-reset");
  writeFileSync(path, hook);
  chmodSync(path, 0o755);
}
