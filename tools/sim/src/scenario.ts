// What a seed decides before the run starts: the managed systems and their monitoring pairs,
// each device's behaviour, the networks' faults and the fault schedule. Everything random in a
// run comes from the seed (this draw, then the world's PRNG during the run).

import type { ResolvedConfig } from "@haconn/config";
import { buildConfig, type ServerSpec } from "@haconn/core/test";
import { type AdversaryPlan, type AdversarySwitches, drawAdversary } from "./adversary-plan.js";
import { Rng } from "./prng.js";

/** ok; slow (answers late, may time out); dead (never answers); lyingNmi (acks NMI, nothing happens). */
export type DeviceMode = "ok" | "slow" | "dead" | "lyingNmi";

export interface LinkFaults {
  loss: number;
  duplicate: number;
  /** Base delay and added jitter (ms); jitter reorders datagrams. */
  delayMs: number;
  jitterMs: number;
}

export interface SystemSpec {
  /** `P1` for a physical server's system, `V1/vm1` for a guest. */
  name: string;
  server: string;
  vmName: string | null;
  subsystem: number;
  /** HA-monitor port (its cluster). */
  port: number;
  addr: string;
  /** Index of the other member of its monitoring pair. */
  peer: number;
  notifierWorks: boolean;
  /**
   * The dump notifier of a system whose notifier works: `ltd` sends our DUMP-NOTICE every 500 ms
   * until a DUMP-ACK, for as long as the dump runs (docs/protocol.md §6, notifier rule 2);
   * `kdump` is fence_kdump_send as haconn needs it (`-i 1 -c 0`: every second until the machine
   * reboots, never acknowledged; no subsystem, matched by source address).
   */
  notifier: "ltd" | "kdump" | null;
}

export type Fault =
  /** The system's HA software hangs; its pair peer detects it and asks for its reset. */
  | { at: number; kind: "hang"; system: number }
  /** The pair's members lose each other and both ask to reset the other (the race). */
  | { at: number; kind: "split"; system: number; skewMs: number }
  /** kill -9 of a connector daemon; restarted after `downMs`. */
  | { at: number; kind: "crash"; node: number; downMs: number }
  | { at: number; kind: "cutLink"; ms: number };

/** Deliberate defects of the simulated connector, to prove the invariants can fail. */
export interface InjectedBugs {
  /** Fencing "succeeds" at once without resetting the peer. */
  fenceWithoutReset?: boolean;
  /** The standby also answers reset-path requests from its mirror (no arbitration between nodes). */
  standbyAnswers?: boolean;
  /**
   * The connector matches a DUMP-NOTICE by its subsystem number alone, from any address (the
   * engine before issue #17): the adversary's notices then count as the system's.
   */
  noticeBySubsystem?: boolean;
  /** ATTENTION cancel key (eventId, address) without port and subsystem: the daemon before issue #17. */
  ackKeysByAddress?: boolean;
  /** Key mode, but unsigned datagrams reach the engine (a socket that skips the trailer check). */
  keyModeAcceptsUnsigned?: boolean;
  /** RESET's FENCE flag is not passed to the engine (the connector before it): "already reset" answers. */
  fenceFlagIgnored?: boolean;
}

export interface Scenario {
  seed: number;
  faultMs: number;
  quietMs: number;
  config: ResolvedConfig;
  systems: SystemSpec[];
  /** `bmc:<server>`, `esxi:<server>`, `pdu:<key>`, `mbmc:<node name>` → mode (default ok). */
  devices: Record<string, DeviceMode>;
  resetPath: LinkFaults;
  duplex: LinkFaults;
  faults: Fault[];
  bugs: InjectedBugs;
  /**
   * acked: the active carries out a transition's device commands and answers only once the
   * standby (when one is heard) acknowledged its deltas; async: at once, deltas sent alongside.
   */
  replication: "acked" | "async";
  adversary: AdversaryPlan;
  /**
   * A requester that got DUMP asks once more, with FENCE, 2.5-4.5 s later: the target has
   * rebooted (1-3 s) and its status still says dump (5 s guard). Pacemaker's second fence of a
   * node. Opt-in (`--refence`), its delays from a separate stream: default seeds replay unchanged.
   */
  refence: boolean;
}

export interface ScenarioOptions {
  /** What the adversary may do (default: `DEFAULT_ADVERSARY`); `false` turns it off. */
  adversary?: Partial<AdversarySwitches> | false;
  faultMs?: number;
  quietMs?: number;
  bugs?: InjectedBugs;
  /** Scales the number of faults (1 = default). */
  faultRate?: number;
  replication?: "acked" | "async";
  /** Longest duplex link cut; below the heartbeat timeout (600 ms) a cut never causes a takeover. */
  maxCutMs?: number;
  /** Shortest daemon restart delay after a crash. */
  minRestartMs?: number;
  /** See Scenario.refence. */
  refence?: boolean;
}

function link(rng: Rng, maxLoss: number): LinkFaults {
  const calm = rng.chance(0.3);
  return {
    loss: calm ? 0 : rng.next() * maxLoss,
    duplicate: calm ? 0 : rng.next() * 0.05,
    delayMs: rng.int(1, 5),
    jitterMs: calm ? 1 : rng.int(1, 60),
  };
}

function deviceMode(rng: Rng, nmi: boolean): DeviceMode {
  const r = rng.next();
  if (r < 0.7) return "ok";
  if (r < 0.82) return "slow";
  if (r < 0.9) return "dead";
  return nmi ? "lyingNmi" : "ok";
}

export function drawScenario(seed: number, opts: ScenarioOptions = {}): Scenario {
  const rng = new Rng(seed ^ 0x5eed);
  const faultMs = opts.faultMs ?? 6000;
  const quietMs = opts.quietMs ?? 20_000;
  const physicalPairs = rng.int(1, 2);
  const guestPair = rng.chance(0.5);
  const pduKeys = ["127.0.3.1", "127.0.3.2"];
  const servers: ServerSpec[] = [];
  const systems: SystemSpec[] = [];
  const devices: Record<string, DeviceMode> = {};
  for (let i = 0; i < physicalPairs * 2; i++) {
    const name = `P${i + 1}`;
    const ipdusd = rng.chance(0.5);
    const outlets: [string, number][] = ipdusd
      ? rng.chance(0.5)
        ? [[pduKeys[0]!, i + 1]]
        : [
            [pduKeys[0]!, i + 1],
            [pduKeys[1]!, i + 1],
          ]
      : [];
    servers.push({
      name,
      cluster: true,
      ipdusd,
      outlets,
      timeoutSec: ipdusd ? rng.int(1, 3) : null,
      recoveryTimeSec: ipdusd ? rng.pick([0, 2]) : null,
    });
    devices[`bmc:${name}`] = deviceMode(rng, true);
    systems.push({
      name,
      server: name,
      vmName: null,
      subsystem: 10 + i,
      port: 6001 + Math.floor(i / 2),
      addr: `127.0.0.${101 + i}`,
      peer: i % 2 === 0 ? i + 1 : i - 1,
      notifierWorks: rng.chance(0.75),
      notifier: null,
    });
  }
  if (guestPair) {
    servers.push({ name: "V1", cluster: true, virtual: true });
    devices["esxi:V1"] = deviceMode(rng, true);
    for (const j of [0, 1]) {
      const i = systems.length;
      systems.push({
        name: `V1/vm${j + 1}`,
        server: "V1",
        vmName: `vm${j + 1}`,
        subsystem: 20 + j,
        port: 6003,
        addr: `127.0.0.${121 + j}`,
        peer: j === 0 ? i + 1 : i - 1,
        notifierWorks: rng.chance(0.75),
        notifier: null,
      });
    }
  }
  for (const key of pduKeys) devices[`pdu:${key}`] = rng.chance(0.15) ? "dead" : "ok";
  for (const node of ["HACON1", "HACON2"]) devices[`mbmc:${node}`] = deviceMode(rng, false);
  const config = buildConfig({ servers, pdus: pduKeys, hispeedMs: rng.pick([1000, 2000, 5000, null]) });

  const faults: Fault[] = [];
  const rate = opts.faultRate ?? 1;
  const count = Math.round(rng.int(1, 5) * rate);
  for (let k = 0; k < count; k++) {
    const at = rng.int(500, faultMs);
    const r = rng.next();
    if (r < 0.3) faults.push({ at, kind: "hang", system: rng.int(0, systems.length - 1) });
    else if (r < 0.55)
      faults.push({ at, kind: "split", system: rng.int(0, systems.length - 1), skewMs: rng.int(0, 40) });
    else if (r < 0.8)
      faults.push({
        at,
        kind: "crash",
        node: rng.int(0, 1),
        downMs: rng.int(opts.minRestartMs ?? 200, Math.max(opts.minRestartMs ?? 200, 3000)),
      });
    else faults.push({ at, kind: "cutLink", ms: rng.int(100, Math.max(100, opts.maxCutMs ?? 2500)) });
  }
  faults.sort((a, b) => a.at - b.at);
  const resetPath = link(rng, 0.15);
  const duplex = link(rng, 0.15);
  // Drawn after everything above, so that the earlier draws of a seed stay what they were.
  for (const sys of systems) sys.notifier = sys.notifierWorks ? (rng.chance(0.25) ? "kdump" : "ltd") : null;
  const adversary = drawAdversary(rng.fork(), opts.adversary);
  return {
    seed,
    faultMs,
    quietMs,
    config,
    systems,
    devices,
    resetPath,
    duplex,
    faults,
    adversary,
    bugs: opts.bugs ?? {},
    replication: opts.replication ?? "acked",
    refence: opts.refence ?? false,
  };
}
