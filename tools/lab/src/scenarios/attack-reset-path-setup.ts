// Set-up shared by the reset-path attack scenarios (attack-reset-path*.test.ts): one real built
// haconnd on loopback with two ipmi_sim BMCs (PSERVER1, PSERVER2, cluster=on), optionally a
// reset-path key and a fence_kdump port; two legitimate monitors and every attacker speak
// through the independent raw client (../attacker), never through @haconn/protocol.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import type { RawKey } from "../attacker/frame-raw.js";
import { RawUdp, RP_TYPE, rpBody, rpFrame, rpParse } from "../attacker/reset-path-raw.js";
import { IpmiSim } from "../ipmi-sim/index.js";
import {
  cli,
  type DaemonProcess,
  freeUdpPort,
  type LabDirs,
  labDirs,
  removeDirs,
  startDaemon,
} from "./harness.js";

const PW = "Atk110-bmc-Pw3x";

export interface AttackLab {
  dirs: LabDirs;
  daemon: DaemonProcess;
  bmc: Record<"PSERVER1" | "PSERVER2", IpmiSim>;
  connector: { address: string; port: number };
  kdump: { address: string; port: number } | null;
  clusterPort: number;
  key: RawKey | undefined;
  /** Legitimate monitors: 10001 on PSERVER1, 10002 on PSERVER2, bound at clusterPort. */
  m1: RawUdp;
  m2: RawUdp;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export { dumpState } from "./harness.js";

/** Every line of the daemon's log files whose name starts with `base` (eventlog, resetlog, ...). */
export function logLines(dirs: LabDirs, base: string): string[] {
  return readdirSync(dirs.log)
    .filter((f) => f.startsWith(base))
    .flatMap((f) => readFileSync(join(dirs.log, f), "utf8").split("\n"))
    .filter((l) => l.length > 0);
}

export async function startAttackLab(o: {
  prefix: string;
  /** 127.0.N.x: the connector at .1, monitors at .21 and .22. */
  net: number;
  key: boolean;
  kdump: boolean;
  /** Also a virtual server VHOST1 (VMware=Enable; its ESXi host is not reachable: registration only). */
  vhost?: boolean;
}): Promise<AttackLab> {
  const dirs = labDirs(o.prefix);
  const [b1, b2] = await Promise.all([
    IpmiSim.start({ nmi: true, password: PW }),
    IpmiSim.start({ nmi: true, password: PW }),
  ]);
  const bmc = { PSERVER1: b1, PSERVER2: b2 };
  const address = `127.0.${o.net}.1`;
  const port = await freeUdpPort(address);
  // Without a key the lab runs insecure on purpose (the explicit switch; resetpath would
  // otherwise create resetpath.key): the rows it checks must hold without a key too.
  cli(dirs, "haconnsetup", [
    "resetpath",
    `addr=${address}/8`,
    `port=${port}`,
    ...(o.key ? [] : ["insecure=on"]),
  ]);
  for (const [name, sim] of Object.entries(bmc)) {
    cli(
      dirs,
      "haconnsetup",
      ["pserver", "add", name, `addr=127.0.0.1:${sim.port}`, "account=admin", "cipher=3", "cluster=on"],
      PW,
    );
  }
  let b3: IpmiSim | undefined;
  if (o.vhost) {
    b3 = await IpmiSim.start({ nmi: true, password: PW });
    cli(
      dirs,
      "haconnsetup",
      ["pserver", "add", "VHOST1", `addr=127.0.0.1:${b3.port}`, "account=admin", "cipher=3"],
      PW,
    );
    cli(
      dirs,
      "haconnsetup",
      ["vserver", "VHOST1", "addr=127.0.0.1", "port=1", "account=root", "VMware=Enable"],
      "esxi-pw-9",
    );
  }
  cli(dirs, "haconnsetup", ["snmp"], `atk${o.net}community7`);
  let key: RawKey | undefined;
  if (o.key) {
    key = { id: 1, secret: randomBytes(32) };
    writeFileSync(join(dirs.etc, "resetpath.key"), `1 ${key.secret.toString("hex")} send\n`, { mode: 0o600 });
  }
  const kdump = o.kdump ? { address, port: await freeUdpPort(address) } : null;
  if (kdump) cli(dirs, "haconnsetup", ["kdump", `port=${kdump.port}`]);
  let daemon = await startDaemon(dirs);
  const clusterPort = await freeUdpPort(`127.0.${o.net}.21`);
  const m1 = await RawUdp.open(`127.0.${o.net}.21`, clusterPort);
  const m2 = await RawUdp.open(`127.0.${o.net}.22`, clusterPort);
  const lab: AttackLab = {
    dirs,
    get daemon() {
      return daemon;
    },
    bmc,
    connector: { address, port },
    kdump,
    clusterPort,
    key,
    m1,
    m2,
    async restart() {
      await daemon.stop();
      daemon = await startDaemon(dirs);
    },
    async close() {
      m1.socket.close();
      m2.socket.close();
      await daemon.stop();
      await Promise.all([b1.stop(), b2.stop(), b3?.stop()]);
      removeDirs(dirs);
    },
  };
  return lab;
}

let nextId = 1000;
export const newRequestId = () => nextId++;

/** The datagram a monitor sends; signed when the lab has a key (unless `unsigned`). */
export function frame(
  lab: AttackLab,
  type: number,
  senderId: number,
  body: Buffer,
  o: { requestId?: number; unsigned?: boolean; timestampMs?: number; version?: number; flags?: number } = {},
): Buffer {
  return rpFrame({
    ...(o.flags !== undefined ? { flags: o.flags } : {}),
    type,
    requestId: o.requestId ?? newRequestId(),
    senderId,
    body,
    ...(o.timestampMs !== undefined ? { timestampMs: o.timestampMs } : {}),
    ...(o.version !== undefined ? { version: o.version } : {}),
    ...(lab.key && !o.unsigned ? { sign: { key: lab.key } } : {}),
  });
}

export function checkFrame(
  lab: AttackLab,
  subsystem: number,
  system: string,
  o: {
    replyPort?: number;
    vm?: string;
    unsigned?: boolean;
    requestId?: number;
    intervalSec?: number;
    flags?: number;
  } = {},
): Buffer {
  const body = rpBody.check({
    replyPort: o.replyPort ?? lab.clusterPort,
    system,
    ...(o.vm ? { vm: o.vm } : {}),
    ...(o.intervalSec !== undefined ? { intervalSec: o.intervalSec } : {}),
    pair: subsystem === 10001 ? 10002 : subsystem === 10002 ? 10001 : 0,
  });
  return frame(lab, RP_TYPE.check, subsystem, body, o);
}

export function resetFrame(
  lab: AttackLab,
  requester: number,
  target: number,
  system: string,
  requestId: number,
  o: { unsigned?: boolean; clusterPort?: number; flags?: number } = {},
): Buffer {
  const body = rpBody.reset({ target, clusterPort: o.clusterPort ?? lab.clusterPort, system });
  return frame(lab, RP_TYPE.reset, requester, body, { ...o, requestId });
}

/** Registers both legitimate monitors and waits for their CHECK-REPLYs. */
export async function registerMonitors(lab: AttackLab): Promise<void> {
  for (const [sock, sub, sys] of [
    [lab.m1, 10001, "PSERVER1"],
    [lab.m2, 10002, "PSERVER2"],
  ] as const) {
    const requestId = newRequestId();
    await sock.send(checkFrame(lab, sub, sys, { requestId }), lab.connector);
    const got = await sock.waitFor(
      (r) => r.frame?.type === RP_TYPE.checkReply && r.frame.requestId === requestId,
      5000,
    );
    if (!got?.frame || rpParse.checkReply(got.frame.body).blockers !== 0) {
      throw new Error(`monitor ${sub} not registered`);
    }
  }
}

/** RESET-RESULTs a socket received for one requestId. */
export function resultsOf(sock: RawUdp, requestId: number) {
  return sock
    .frames(RP_TYPE.resetResult)
    .filter((f) => f.requestId === requestId)
    .map((f) => rpParse.resetResult(f.body));
}
