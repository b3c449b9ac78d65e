// ocf:haconn:monitor, the OCF resource agent that makes a Pacemaker node a known system of the
// connector (issue 18 §3, registration). Cloned on every node. start runs the monitor daemon
// (monitor-daemon.ts) and succeeds once the connector answered its first CHECK; monitor
// reports whether the registration is live; stop ends the daemon. Parameters come as
// OCF_RESKEY_* variables; the node's subsystem number is its corosync nodeid.
import type { KeyRing } from "@haconn/protocol";
import { DEFAULT_COROSYNC_CONF, DEFAULT_KEY_FILE, DEFAULT_STATE_FILE } from "./options.js";
import {
  type CorosyncNodeEntry,
  type MonitorState,
  parseCorosyncNodelist,
  parseHostMap,
  parseMonitorState,
  registrationLive,
} from "./local-state.js";
import type { MonitorConfig } from "./monitor-daemon.js";

export const OCF_SUCCESS = 0;
export const OCF_ERR_GENERIC = 1;
export const OCF_ERR_UNIMPLEMENTED = 3;
export const OCF_ERR_INSTALLED = 5;
export const OCF_ERR_CONFIGURED = 6;
export const OCF_NOT_RUNNING = 7;

export interface OcfDeps {
  env: NodeJS.ProcessEnv;
  hostname: string;
  readFile(path: string): string;
  /** The reset-path key ring; throws with the reason when the file is unfit (mode, owner, format). */
  loadKey(path: string): KeyRing;
  out(t: string): void;
  err(t: string): void;
  now(): number;
  sleep(ms: number): Promise<void>;
  pidAlive(pid: number): boolean;
  /** Starts the daemon detached; resolves when spawned. */
  spawnDaemon(): void;
  kill(pid: number, signal: NodeJS.Signals): void;
  removeFile(path: string): void;
}

class OcfError extends Error {
  constructor(
    readonly rc: number,
    message: string,
  ) {
    super(message);
  }
}

const PARAMS: { name: string; required?: boolean; dflt?: string; desc: string; type: string }[] = [
  { name: "ip", required: true, type: "string", desc: "Reset-path address of the connector pair (its VIP)" },
  { name: "ipport", required: true, type: "integer", desc: "UDP port of the connector's reset path" },
  {
    name: "cluster_port",
    required: true,
    type: "integer",
    desc: "This cluster's reset-path port: every node's CHECK replyPort and ATTENTION port (the same on every node)",
  },
  {
    name: "host_map",
    type: "string",
    dflt: "",
    desc: "node:system pairs (pcmk_host_map syntax) when haconn's system names differ from the node names",
  },
  {
    name: "pair",
    type: "string",
    dflt: "auto",
    desc: "Monitoring pair: auto (the other node of a two-node cluster), none, or a subsystem number",
  },
  { name: "check_interval", type: "integer", dflt: "5", desc: "Seconds between CHECKs (1..3600)" },
  { name: "key_file", type: "string", dflt: DEFAULT_KEY_FILE, desc: "Reset-path key file" },
  {
    name: "state_file",
    type: "string",
    dflt: DEFAULT_STATE_FILE,
    desc: "Where this node's registration is kept for fence_haconn",
  },
  {
    name: "corosync_conf",
    type: "string",
    dflt: DEFAULT_COROSYNC_CONF,
    desc: "corosync.conf (each node's nodeid is its haconn subsystem number)",
  },
];

export function ocfMetadata(): string {
  const params = PARAMS.map(
    (p) => `  <parameter name="${p.name}" unique="0" required="${p.required ? 1 : 0}">
    <longdesc lang="en">${p.desc}</longdesc>
    <shortdesc lang="en">${p.desc}</shortdesc>
    <content type="${p.type}"${p.dflt !== undefined ? ` default="${p.dflt}"` : ""}/>
  </parameter>`,
  ).join("\n");
  return `<?xml version="1.0"?>
<!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd">
<resource-agent name="monitor" version="0.1.0">
  <version>1.0</version>
  <longdesc lang="en">Registers this node with an haconn connector pair as a monitored system (reset-path CHECK, signed), receives the connector's reset-complete notices (ATTENTION) and keeps the registration fence_haconn fences from. Clone it on every node.</longdesc>
  <shortdesc lang="en">haconn registration of a Pacemaker node</shortdesc>
  <parameters>
${params}
  </parameters>
  <actions>
    <action name="start" timeout="20s"/>
    <action name="stop" timeout="20s"/>
    <action name="monitor" timeout="20s" interval="10s" depth="0"/>
    <action name="meta-data" timeout="5s"/>
    <action name="validate-all" timeout="5s"/>
  </actions>
</resource-agent>
`;
}

const param = (env: NodeJS.ProcessEnv, name: string) => {
  const v = env[`OCF_RESKEY_${name}`];
  return v === undefined || v === "" ? PARAMS.find((p) => p.name === name)?.dflt : v;
};

function port(env: NodeJS.ProcessEnv, name: string): number {
  const v = param(env, name);
  if (!v || !/^\d{1,5}$/.test(v) || Number(v) < 1 || Number(v) > 65535)
    throw new OcfError(OCF_ERR_CONFIGURED, `${name} must be a UDP port 1..65535`);
  return Number(v);
}

/** The daemon's configuration from the OCF parameters (validate-all). */
export function monitorConfig(deps: OcfDeps, log: (l: string) => void): MonitorConfig {
  const env = deps.env;
  const ip = param(env, "ip");
  if (!ip || !/^[0-9A-Za-z.:-]{1,253}$/.test(ip)) throw new OcfError(OCF_ERR_CONFIGURED, "ip is required");
  const node = env.OCF_RESKEY_CRM_meta_on_node || deps.hostname;
  let nodes: CorosyncNodeEntry[];
  const conf = param(env, "corosync_conf")!;
  try {
    nodes = parseCorosyncNodelist(deps.readFile(conf));
  } catch {
    throw new OcfError(OCF_ERR_INSTALLED, `cannot read ${conf}`);
  }
  const me = nodes.find((n) => n.name === node);
  if (!me) throw new OcfError(OCF_ERR_CONFIGURED, `node ${node} is not in the nodelist of ${conf}`);
  let system = node;
  try {
    system = parseHostMap(param(env, "host_map") ?? "").get(node) ?? node;
  } catch (e) {
    throw new OcfError(OCF_ERR_CONFIGURED, (e as Error).message);
  }
  if (!/^[A-Za-z0-9_-]{1,31}$/.test(system))
    throw new OcfError(OCF_ERR_CONFIGURED, `system name '${system}' is not a haconn name`);
  const pairText = param(env, "pair") ?? "auto";
  let pairSubsystem = 0;
  if (pairText === "auto")
    pairSubsystem = nodes.length === 2 ? nodes.find((n) => n.nodeid !== me.nodeid)!.nodeid : 0;
  else if (/^\d{1,10}$/.test(pairText)) pairSubsystem = Number(pairText);
  else if (pairText !== "none")
    throw new OcfError(OCF_ERR_CONFIGURED, "pair must be auto, none or a subsystem number");
  const interval = Number(param(env, "check_interval"));
  if (!Number.isInteger(interval) || interval < 1 || interval > 3600)
    throw new OcfError(OCF_ERR_CONFIGURED, "check_interval must be 1..3600");
  const keyFile = param(env, "key_file")!;
  let key: KeyRing;
  try {
    key = deps.loadKey(keyFile);
  } catch (e) {
    throw new OcfError(OCF_ERR_CONFIGURED, `reset-path key file: ${(e as Error).message}`);
  }
  return {
    node,
    subsystem: me.nodeid,
    system,
    pairSubsystem,
    clusterPort: port(env, "cluster_port"),
    connector: { ip, port: port(env, "ipport") },
    intervalSec: interval,
    key,
    stateFile: param(env, "state_file")!,
    log,
  };
}

function currentState(deps: OcfDeps, path: string): MonitorState | undefined {
  try {
    const s = parseMonitorState(deps.readFile(path), path);
    return deps.pidAlive(s.pid) ? s : undefined;
  } catch {
    return undefined;
  }
}

export async function runOcfAction(action: string, deps: OcfDeps): Promise<number> {
  const log = (l: string) => deps.err(`haconn monitor: ${l}\n`);
  try {
    switch (action) {
      case "meta-data":
        deps.out(ocfMetadata());
        return OCF_SUCCESS;
      case "validate-all":
        monitorConfig(deps, log);
        return OCF_SUCCESS;
      case "monitor": {
        const c = monitorConfig(deps, log);
        const s = currentState(deps, c.stateFile);
        if (!s) return OCF_NOT_RUNNING;
        if (!registrationLive(s, deps.now())) {
          log(
            `the connector ${c.connector.ip}:${c.connector.port} has not answered for ${3 * s.intervalSec} s`,
          );
          return OCF_ERR_GENERIC;
        }
        return OCF_SUCCESS;
      }
      case "start": {
        const c = monitorConfig(deps, log);
        if (currentState(deps, c.stateFile)) return OCF_SUCCESS;
        deps.spawnDaemon();
        const until = deps.now() + 10_000;
        while (deps.now() < until) {
          await deps.sleep(100);
          const s = currentState(deps, c.stateFile);
          if (s?.lastReply) {
            log(
              `${c.node} registered as ${c.system} (subsystem ${c.subsystem}, pair ${c.pairSubsystem}) with ${s.lastReply.responder}`,
            );
            return OCF_SUCCESS;
          }
        }
        log(`no answer from the connector ${c.connector.ip}:${c.connector.port} within 10 s`);
        await stop(deps, c.stateFile);
        return OCF_ERR_GENERIC;
      }
      case "stop": {
        const c = monitorConfig(deps, log);
        await stop(deps, c.stateFile);
        return OCF_SUCCESS;
      }
      default:
        return OCF_ERR_UNIMPLEMENTED;
    }
  } catch (e) {
    if (e instanceof OcfError) {
      log(e.message);
      // A stop must not fail on a configuration problem: nothing of ours runs then.
      if (action === "stop") return OCF_SUCCESS;
      if (action === "monitor" && e.rc === OCF_ERR_CONFIGURED) return OCF_NOT_RUNNING;
      return e.rc;
    }
    throw e;
  }
}

async function stop(deps: OcfDeps, stateFile: string): Promise<void> {
  const s = currentState(deps, stateFile);
  if (s) {
    deps.kill(s.pid, "SIGTERM");
    const until = deps.now() + 5000;
    while (deps.pidAlive(s.pid) && deps.now() < until) await deps.sleep(50);
    if (deps.pidAlive(s.pid)) deps.kill(s.pid, "SIGKILL");
  }
  deps.removeFile(stateFile);
}
