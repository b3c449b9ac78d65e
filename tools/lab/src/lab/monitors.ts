// The HA monitors of a drill, in the drill's own process: one simulated monitor per system of
// the clusters involved, bound to its own address (loopback, or the reset-path LAN in the lab's
// namespace) and its cluster's port, registered with CHECK. Every message they receive is kept
// with its arrival time for the timeline.
import type { AttentionBody, CheckReplyBody, ResetResultBody } from "@haconn/protocol";
import { HamonSimMonitor, type HamonSimResetOutcome } from "../hamon-sim/index.js";
import { LabError } from "./errors.js";
import { monitorAddress } from "./pair-topology.js";
import { useLabResetKey } from "./reset-key.js";
import type { UpState } from "./state.js";
import { type LabSystem, LAB_SYSTEMS, labSystem, systemLabel } from "./topology.js";

export interface Received {
  at: number;
  subsystem: number;
  type: string;
  attention?: AttentionBody;
  result?: ResetResultBody;
}

export interface TimedReset {
  requester: number;
  target: number;
  sentAt: number;
  outcome: HamonSimResetOutcome;
  resultAt: number | undefined;
}

export class LabMonitors {
  readonly received: Received[] = [];
  readonly sent: { at: number; requester: number; target: number }[] = [];

  private constructor(private readonly monitors: Map<number, HamonSimMonitor>) {
    for (const [subsystem, m] of monitors) {
      m.channel.onMessage((msg) => {
        const r: Received = { at: Date.now(), subsystem, type: msg.type };
        if (msg.type === "attention") r.attention = msg.body;
        if (msg.type === "reset-result") r.result = msg.body;
        this.received.push(r);
      });
    }
  }

  /** Starts the monitors of `systems` (default: every system of the lab). */
  static async start(state: UpState, systems: readonly LabSystem[] = LAB_SYSTEMS): Promise<LabMonitors> {
    const monitors = new Map<number, HamonSimMonitor>();
    useLabResetKey(state); // key mode: they sign with the lab's resetpath.key
    try {
      for (const s of systems) {
        const m = await HamonSimMonitor.start({
          subsystem: s.subsystem,
          systemName: s.system,
          ...(s.vm ? { kind: "guest" as const, vmName: s.vm } : {}),
          ...(s.pair ? { pairSubsystem: s.pair } : {}),
          connector: { address: state.resetPath.addr, port: state.resetPath.port },
          checkIntervalMs: 0,
          bind: { address: monitorAddress(state.topology, s), port: state.clusterPorts[s.cluster] },
          // netns mode: the drill runs inside the lab's own namespace (bin/lab.ts re-enters it).
          inNamespace: state.topology.mode === "netns",
        });
        monitors.set(s.subsystem, m);
      }
    } catch (error) {
      for (const m of monitors.values()) await m.stop();
      throw error;
    }
    return new LabMonitors(monitors);
  }

  get(subsystem: number): HamonSimMonitor {
    const m = this.monitors.get(subsystem);
    if (!m) throw new Error(`monitor ${subsystem} is not running in this drill`);
    return m;
  }

  /** CHECK from every monitor; returns the systems whose registration was refused or unanswered. */
  async registerAll(): Promise<{ refused: string[]; replies: Map<number, CheckReplyBody> }> {
    const replies = new Map<number, CheckReplyBody>();
    const refused: string[] = [];
    for (const [subsystem, m] of this.monitors) {
      const reply = await m.check(3000);
      const label = systemLabel(labSystem(subsystem));
      if (!reply) refused.push(`${label}: no CHECK reply`);
      else if (reply.blockers.unknownSystem) refused.push(`${label}: unknown system`);
      else replies.set(subsystem, reply);
    }
    return { refused, replies };
  }

  /** RESET from `requester` for `target`, waiting for the result; times are taken here. */
  async reset(requester: number, target: number, resultTimeoutMs: number): Promise<TimedReset> {
    const t = labSystem(target);
    const sentAt = Date.now();
    this.sent.push({ at: sentAt, requester, target });
    const outcome = await this.get(requester).reset(
      { subsystem: target, systemName: t.system },
      { resultTimeoutMs },
    );
    const resultAt = this.received.find(
      (r) =>
        r.subsystem === requester &&
        r.type === "reset-result" &&
        r.result?.targetSubsystem === target &&
        r.at >= sentAt,
    )?.at;
    return { requester, target, sentAt, outcome, resultAt };
  }

  attentions(about: number, since: number): Received[] {
    return this.received.filter((r) => r.attention?.targetSubsystem === about && r.at >= since);
  }

  async stop(): Promise<void> {
    for (const m of this.monitors.values()) await m.stop();
  }
}

/** Registers every HA monitor of the lab once (CHECK); throws when one is refused. */
export async function registerLabMonitors(state: UpState): Promise<void> {
  const monitors = await LabMonitors.start(state);
  try {
    const { refused } = await monitors.registerAll();
    if (refused.length > 0)
      throw new LabError("LAB_START_FAILED", `registration refused: ${refused.join("; ")}`);
  } finally {
    await monitors.stop();
  }
}
