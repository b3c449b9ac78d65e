// The whole-daemon bench's helper processes, forked from daemon.bench.js itself so that neither
// shares the probing process's event loop nor the daemon's:
//  * `--role echo`: a bare UDP echo server on 127.0.0.1, the noise control probed alongside the
//    CHECKs (same prober, same rate: what the machine and the prober add to a round trip);
//  * `--role sims`: the ESXi hosts (EsxiSim, ssh) and the PDUs (PduSim, SNMP) of the maxima.
// Both report their ports over IPC and stop when the parent goes.
import { type ChildProcess, fork } from "node:child_process";
import { createSocket } from "node:dgram";
import { EsxiSim } from "../../lab/src/esxi-sim/index.js";
import { PduSim } from "../../lab/src/pdu-sim/index.js";

export const ESXI_PW = "bench-esxi-pw1";
export const PDU_COMMUNITY = "benchcommunity1";

export interface SimsSpec {
  hosts: number;
  vmsPerHost: number;
  pdus: number;
}

export interface SimsPorts {
  esxi: number[];
  pdus: number[];
}

/** What an ESXi host ran: NMI (`vmdumper … nmi`) and power commands, epoch ms. */
export interface EsxiAction {
  host: number;
  at: number;
  command: string;
}

type Request = { type: "esxiActions" | "esxiExecs"; id: number };

/** Runs a helper role in this process (called from daemon.bench.ts when `--role` is given). */
export async function runHelperRole(role: string): Promise<void> {
  const send = (m: unknown) => process.send?.(m);
  process.on("disconnect", () => process.exit(0));
  if (role === "echo") {
    const socket = createSocket("udp4");
    socket.on("message", (msg, from) => socket.send(msg, from.port, from.address));
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", () => resolve()));
    send({ type: "ready", port: socket.address().port });
    return;
  }
  if (role !== "sims") throw new Error(`unknown helper role ${role}`);
  const spec = JSON.parse(process.env.HACONN_BENCH_SIMS ?? "{}") as SimsSpec;
  const esxi: EsxiSim[] = [];
  const pdus: PduSim[] = [];
  for (let h = 0; h < spec.hosts; h++) {
    const guests = Array.from({ length: spec.vmsPerHost }, (_, v) => ({ name: vmName(v) }));
    esxi.push(await EsxiSim.start({ guests, password: ESXI_PW }));
  }
  // haconnsetup refuses two devices on one addr:port: a PDU (UDP) that drew the port number of
  // an ESXi host (TCP) is started again on another port.
  const taken = new Set(esxi.map((s) => s.port));
  for (let p = 0; p < spec.pdus; p++) {
    let pdu = await PduSim.start({ community: PDU_COMMUNITY });
    while (taken.has(pdu.port)) {
      const again = await PduSim.start({ community: PDU_COMMUNITY });
      await pdu.stop();
      pdu = again;
    }
    taken.add(pdu.port);
    pdus.push(pdu);
  }
  process.on("message", (m: Request) => {
    if (m.type === "esxiExecs") {
      send({ type: "esxiExecs", id: m.id, execs: esxi.map((sim) => sim.commands.length) });
      return;
    }
    if (m.type !== "esxiActions") return;
    const actions: EsxiAction[] = [];
    esxi.forEach((sim, host) => {
      for (const c of sim.commands)
        if (/ nmi$|power\.(reset|off|on)/.test(c.command))
          actions.push({ host, at: c.at, command: c.command });
    });
    send({ type: "esxiActions", id: m.id, actions });
  });
  send({ type: "ready", esxi: esxi.map((s) => s.port), pdus: pdus.map((s) => s.port) });
}

export const vmName = (v: number) => `VM${String(v + 1).padStart(2, "0")}`;

export interface Helper<T> {
  child: ChildProcess;
  ready: T;
  stop(): void;
}

/** Forks `script --role <role>` and waits for its ready message. */
export function startHelper<T>(
  script: string,
  role: string,
  env: NodeJS.ProcessEnv = {},
): Promise<Helper<T>> {
  const child = fork(script, ["--role", role], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`helper ${role} not ready within 120 s`)), 120_000);
    child.once("exit", (code) => reject(new Error(`helper ${role} exited ${code}`)));
    child.on("message", (m: { type: string } & T) => {
      if (m.type !== "ready") return;
      clearTimeout(timer);
      resolve({ child, ready: m, stop: () => child.kill("SIGTERM") });
    });
  });
}

let nextRequest = 1;

/** Asks the sims helper one question (`type`) and resolves with the answer's `field`. */
function ask<T>(sims: ChildProcess, type: Request["type"], field: string): Promise<T> {
  const id = nextRequest++;
  return new Promise((resolve) => {
    const on = (m: { type: string; id: number } & Record<string, unknown>) => {
      if (m.type !== type || m.id !== id) return;
      sims.off("message", on);
      resolve(m[field] as T);
    };
    sims.on("message", on);
    sims.send({ type, id });
  });
}

/** The ESXi actions the sims helper has recorded so far. */
export function esxiActions(sims: ChildProcess): Promise<EsxiAction[]> {
  return ask(sims, "esxiActions", "actions");
}

/** How many commands (ssh execs) each ESXi host has run so far. */
export function esxiExecs(sims: ChildProcess): Promise<number[]> {
  return ask(sims, "esxiExecs", "execs");
}
