// The simulator supervisor: one long-running process holding every simulator of the lab (the
// ipmi_sim BMCs, the PDU agent, the ESXi host) until SIGTERM. `lab up` starts it detached; it
// writes sims.json when all of them answer, appends PDU transitions and ESXi power actions to
// JSON-lines files for the drills, and on SIGTERM stops every simulator and exits.
import { appendFileSync, renameSync, writeFileSync } from "node:fs";
import { EsxiSim } from "../esxi-sim/index.js";
import { IpmiSim } from "../ipmi-sim/index.js";
import { PduSim } from "../pdu-sim/index.js";
import { SIMS_ENV, type SimsInfo, type SimsSpec } from "./sims-info.js";

export interface SimsRunning {
  info: SimsInfo;
  stop(): Promise<void>;
}

function secret(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`lab-sims: ${name} is not set (secrets come from the environment)`);
  return value;
}

export async function startSims(spec: SimsSpec, env: NodeJS.ProcessEnv = process.env): Promise<SimsRunning> {
  const password = secret(env, SIMS_ENV.bmcPassword);
  const started: { stop(): Promise<void> }[] = [];
  const timers: NodeJS.Timeout[] = [];
  const stop = async () => {
    for (const t of timers) clearInterval(t);
    await Promise.allSettled(started.map((s) => s.stop()));
  };
  try {
    const startBmc = async (b: (typeof spec.bmcs)[number]) => {
      const sim = await IpmiSim.start({
        nmi: b.nmi,
        password,
        startTimeoutMs: 30_000,
        ...(spec.netns ? { address: spec.address, netns: spec.netns } : {}),
      });
      started.push(sim);
      return sim;
    };
    const bmcs = await Promise.all(spec.bmcs.map(async (b) => [b, await startBmc(b)] as const));
    const pdu = await PduSim.start({
      community: secret(env, SIMS_ENV.community),
      outlets: spec.pduOutlets,
      address: spec.address,
    });
    started.push(pdu);
    const esxi = await EsxiSim.start({
      guests: spec.guests.map((name) => ({ name })),
      username: spec.esxiUser,
      password: secret(env, SIMS_ENV.esxiPassword),
      address: spec.address,
    });
    started.push(esxi);
    // A BMC's UDP port may equal the ESXi simulator's TCP port or the PDU's (separate port
    // spaces), which the configuration rightly refuses (one address:port per device): start
    // that BMC again (ci18: lab-netns failed on such a pair).
    const taken = new Set([pdu.port, esxi.port]);
    for (const [i, [b, first]] of bmcs.entries()) {
      let sim = first;
      while (taken.has(sim.port)) {
        await sim.stop();
        sim = await startBmc(b);
      }
      bmcs[i] = [b, sim];
    }

    writeFileSync(spec.pduRecords, "");
    writeFileSync(spec.esxiRecords, "");
    let pduSeen = 0;
    let esxiSeen = 0;
    const flush = () => {
      const transitions = pdu.transitions();
      for (const t of transitions.slice(pduSeen)) appendFileSync(spec.pduRecords, `${JSON.stringify(t)}\n`);
      pduSeen = transitions.length;
      for (const e of esxi.host.events.slice(esxiSeen))
        appendFileSync(spec.esxiRecords, `${JSON.stringify({ at: e.at, action: e.action, name: e.name })}\n`);
      esxiSeen = esxi.host.events.length;
    };
    timers.push(setInterval(flush, 50));

    const info: SimsInfo = {
      supervisorPid: process.pid,
      bmcs: Object.fromEntries(
        bmcs.map(([b, sim]) => [
          b.name,
          {
            addr: sim.addr,
            port: sim.port,
            pid: sim.pid ?? 0,
            dir: sim.dir,
            account: sim.account,
            nmi: sim.nmi,
          },
        ]),
      ),
      pdu: { address: pdu.address, port: pdu.port, firmware: pdu.firmware },
      esxi: { address: esxi.addr, port: esxi.port, fingerprint: esxi.fingerprint, user: spec.esxiUser },
    };
    writeFileSync(`${spec.simsInfo}.tmp`, `${JSON.stringify(info, null, 2)}\n`);
    renameSync(`${spec.simsInfo}.tmp`, spec.simsInfo);
    return { info, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
