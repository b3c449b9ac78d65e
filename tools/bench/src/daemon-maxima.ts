// The manual's maxima around one real haconnd (issue 19's scenario), on loopback only:
// 32 managed servers, each behind an ipmi_sim BMC with the NMI module (real ipmitool); 16 of
// them ESXi hosts (EsxiSim, 17 running guests, 15 HA-monitored: 240 guest systems); the other
// 16 physical systems; 132 PDUs (PduSim), 4 outlet links per server (128 outlets polled);
// 256 HA monitors (hamon-sim), one cluster per ESXi host (its 15 guests + one physical system),
// key mode as deployed. Configured with haconnsetup's own code, run in-process (hundreds of
// commands: a process each would take minutes). The daemon is the built bin/haconnd of
// `root` (this checkout, or another one for a before/after comparison), started in the
// service's cgroup.
import { type ChildProcess, spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { createWriteStream, readFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { parseKeyFile } from "@haconn/protocol";
import { main as haconnsetup } from "../../../apps/cli/src/setup/program.js";
import { HamonSimMonitor, hamonSimRegisterKey } from "../../lab/src/hamon-sim/index.js";
import { IpmiSim } from "../../lab/src/ipmi-sim/index.js";
import {
  ESXI_PW,
  type Helper,
  PDU_COMMUNITY,
  type SimsPorts,
  startHelper,
  vmName,
} from "./daemon-helpers.js";
import type { ServiceCpu } from "./daemon-proc.js";
import { E2eDirs } from "./e2e-harness.js";

export const SERVERS = 32;
export const HOSTS = 16;
export const VMS_PER_HOST = 17;
export const MONITORED_PER_HOST = 15;
export const PDUS = 132;
export const OUTLET_LINKS = 4;
const BMC_PW = "haconn-sim-pw1";
const RP_ADDR = "127.0.96.1";

export const serverName = (i: number) => `PS${String(i + 1).padStart(2, "0")}`;

export interface MonitorEntry {
  monitor: HamonSimMonitor;
  system: string;
  subsystem: number;
  vm: string | null;
  /** ESXi host index = cluster. */
  cluster: number;
}

export interface Maxima {
  dirs: E2eDirs;
  bmcs: IpmiSim[];
  sims: Helper<SimsPorts>;
  monitors: MonitorEntry[];
  daemon: ChildProcess;
  metricsPort: number;
  connector: { address: string; port: number };
  hispeedMs: number;
  stop(): Promise<void>;
}

async function freePort(address: string, type: "udp4" | "tcp" = "udp4"): Promise<number> {
  if (type === "tcp") {
    const { createServer } = await import("node:net");
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, address, () => r()));
    const port = (s.address() as { port: number }).port;
    await new Promise<void>((r) => s.close(() => r()));
    return port;
  }
  const s = createSocket("udp4");
  await new Promise<void>((r) => s.bind(0, address, () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** haconnsetup's main, in-process, the secret on its standard input. */
async function setup(dirs: E2eDirs, argv: string[], secret?: string): Promise<void> {
  let err = "";
  const code = await haconnsetup(argv, {
    stdin: Readable.from(secret === undefined ? [] : [Buffer.from(`${secret}\n`)]),
    stdout: { write: () => true },
    stderr: { write: (s: string) => (err += s) },
    env: {
      HACONN_ETC_DIR: dirs.env.HACONN_ETC_DIR,
      HACONN_LOG_DIR: dirs.env.HACONN_LOG_DIR,
      HACONN_RUN_DIR: dirs.env.HACONN_RUN_DIR,
    },
  });
  if (code !== 0) throw new Error(`haconnsetup ${argv.join(" ")}: exit ${code}: ${err.trim()}`);
}

function startDaemon(
  root: string,
  dirs: E2eDirs,
  cpu: ServiceCpu,
  metricsPort: number,
): Promise<ChildProcess> {
  // Diagnostics: V8 flags for the daemon alone (e.g. --trace-gc): run its entry with them.
  const v8 = process.env.HACONN_BENCH_DAEMON_NODE_ARGS?.split(" ").filter(Boolean);
  const [file, args] = v8
    ? cpu.wrap(join(root, ".tools/node/node_modules/.bin/node"), [
        ...v8,
        join(root, "apps/haconnd/dist/haconnd.js"),
      ])
    : cpu.wrap(join(root, "bin", "haconnd"), []);
  const child = spawn(file, args, {
    env: {
      ...dirs.env,
      HACONN_NODE_NAME: "BENCH1",
      HACONN_KDUMP_PORT: "off",
      HACONN_METRICS: `127.0.0.1:${metricsPort}`,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  cpu.setRoot(child.pid!);
  const logFile = process.env.HACONN_BENCH_DAEMON_LOG;
  if (logFile) {
    const out = createWriteStream(logFile);
    child.stdout!.pipe(out);
    child.stderr!.pipe(out);
  }
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`haconnd not ready:\n${output}`)), 60_000);
    child.stdout!.on("data", (d: Buffer) => {
      output = (output + d.toString()).slice(-8000);
      if (output.includes("haconnd ready")) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr!.on("data", (d: Buffer) => {
      output = (output + d.toString()).slice(-8000);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`haconnd exited ${code}:\n${output}`));
    });
  });
}

export async function startMaxima(opts: {
  root: string;
  script: string;
  cpu: ServiceCpu;
  hispeedMs: number;
  log: (line: string) => void;
}): Promise<Maxima> {
  const dirs = new E2eDirs();
  const bmcs: IpmiSim[] = [];
  let sims: Helper<SimsPorts> | undefined;
  let daemon: ChildProcess | undefined;
  const monitors: MonitorEntry[] = [];
  const stop = async () => {
    for (const m of monitors) await m.monitor.stop();
    if (daemon && daemon.exitCode === null) {
      const exited = new Promise((r) => daemon!.once("exit", r));
      daemon.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    }
    opts.cpu.remove();
    sims?.stop();
    await Promise.allSettled(bmcs.map((b) => b.stop()));
    dirs.remove();
  };
  try {
    opts.log(`starting ${SERVERS} ipmi_sim BMCs, ${HOSTS} ESXi hosts × ${VMS_PER_HOST} guests, ${PDUS} PDUs`);
    sims = await startHelper<SimsPorts>(opts.script, "sims", {
      HACONN_BENCH_SIMS: JSON.stringify({ hosts: HOSTS, vmsPerHost: VMS_PER_HOST, pdus: PDUS }),
    });
    for (let i = 0; i < SERVERS; i += 8)
      bmcs.push(
        ...(await Promise.all(
          Array.from({ length: 8 }, () => IpmiSim.start({ nmi: true, startTimeoutMs: 60_000 })),
        )),
      );
    // A BMC's UDP port may equal an ESXi simulator's TCP port or a PDU's (separate port spaces),
    // which the configuration rightly refuses (one address:port per device): start another.
    const simPorts = new Set([...sims.ready.esxi, ...sims.ready.pdus]);
    for (let i = 0; i < bmcs.length; i++) {
      while (simPorts.has(bmcs[i]!.port)) {
        await bmcs[i]!.stop();
        bmcs[i] = await IpmiSim.start({ nmi: true, startTimeoutMs: 60_000 });
      }
    }
    const port = await freePort(RP_ADDR);
    await setup(dirs, ["resetpath", `addr=${RP_ADDR}/8`, `port=${port}`]);
    const connector = { address: RP_ADDR, port };
    hamonSimRegisterKey(
      connector,
      parseKeyFile(readFileSync(join(dirs.env.HACONN_ETC_DIR!, "resetpath.key"), "utf8")),
    );
    await setup(dirs, ["snmp"], PDU_COMMUNITY);
    for (const pduPort of sims.ready.pdus)
      await setup(dirs, ["ipdu", "add", `127.0.0.1:${pduPort}`, "model=IBM_PDU"]);
    for (let i = 0; i < SERVERS; i++) {
      const bmc = bmcs[i]!;
      const add = [
        "pserver",
        "add",
        serverName(i),
        `addr=${bmc.addr}:${bmc.port}`,
        "account=admin",
        "cipher=3",
      ];
      await setup(dirs, add, BMC_PW);
      if (i < HOSTS) {
        const esxiPort = sims.ready.esxi[i]!;
        const vs = [
          "vserver",
          serverName(i),
          "addr=127.0.0.1",
          `port=${esxiPort}`,
          "account=root",
          "VMware=Enable",
        ];
        await setup(dirs, vs, ESXI_PW);
      }
      for (let o = 0; o < OUTLET_LINKS; o++) {
        const pduPort = sims.ready.pdus[i * OUTLET_LINKS + o]!;
        await setup(dirs, ["pserver", "ipduadd", serverName(i), `addr=127.0.0.1:${pduPort}`, "concent=1"]);
      }
    }
    await setup(dirs, ["hispeed", `resettime=${opts.hispeedMs}`]);
    const metricsPort = await freePort("127.0.0.1", "tcp");
    opts.log(`configuration written; starting haconnd from ${opts.root}`);
    daemon = await startDaemon(opts.root, dirs, opts.cpu, metricsPort);

    let subsystem = 30000;
    for (let c = 0; c < HOSTS; c++) {
      const base = `127.0.${96 + c}`;
      const clusterPort = await freePort(`${base}.10`);
      const members: Omit<MonitorEntry, "monitor">[] = [];
      for (let v = 0; v < MONITORED_PER_HOST; v++)
        members.push({ system: serverName(c), subsystem: subsystem++, vm: vmName(v), cluster: c });
      members.push({ system: serverName(HOSTS + c), subsystem: subsystem++, vm: null, cluster: c });
      for (const [m, spec] of members.entries()) {
        const monitor = await HamonSimMonitor.start({
          subsystem: spec.subsystem,
          systemName: spec.system,
          ...(spec.vm ? { kind: "guest" as const, vmName: spec.vm } : {}),
          connector,
          checkIntervalMs: 0,
          bind: { address: `${base}.${10 + m}`, port: clusterPort },
        });
        monitors.push({ monitor, ...spec });
      }
    }
    // Register every monitor (its first CHECK) and see that the connector knows its system.
    for (const m of monitors) {
      const reply = await m.monitor.check(5000);
      if (!reply) throw new Error(`no CHECK reply for ${m.subsystem}`);
      if (reply.blockers.unknownSystem) throw new Error(`${m.system} ${m.vm ?? ""} unknown to the connector`);
    }
    opts.log(`${monitors.length} HA monitors registered`);
    return { dirs, bmcs, sims, monitors, daemon, metricsPort, connector, hispeedMs: opts.hispeedMs, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
