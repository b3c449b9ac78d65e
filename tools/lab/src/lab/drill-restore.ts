// Puts systems back the way the lab started them, so drills run in any order and twice in a
// row: repairs faults an interrupted drill may have left (a frozen BMC, a server left off) and
// re-registers a reset system once the connector's 5 s guard has passed (a rebooted system's
// HA monitor registering again), until the connector reports it normal and resettable.
import { setTimeout as sleep } from "node:timers/promises";
import { type DrillContext, waitUntil } from "./drill-context.js";
import { nodeStatus } from "./control.js";
import { linkIsUp, setLink } from "./lab-netns.js";
import {
  activeNode,
  describePair,
  nodeRunning,
  signalNode,
  startNode,
  waitNodeReady,
  waitPairOk,
} from "./nodes.js";
import { LAB_NODES, type LabNode } from "./pair-topology.js";
import { labSystem, type LabSystem, systemLabel } from "./topology.js";

/** CHECK from each system until its status is normal with no blocker; false after timeoutMs. */
export async function settle(ctx: DrillContext, subsystems: number[], timeoutMs = 25_000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  const pending = new Set(subsystems);
  while (pending.size > 0 && Date.now() < until) {
    for (const subsystem of [...pending]) {
      const reply = await ctx.monitors.get(subsystem).check(2000);
      const blocked = reply ? Object.values(reply.blockers).some(Boolean) : true;
      if (reply && reply.status === "normal" && !blocked) {
        pending.delete(subsystem);
        ctx.timeline.add(
          Date.now(),
          "back to normal",
          `hamon ${subsystem}`,
          `CHECK: ${systemLabel(labSystem(subsystem))} normal and resettable again`,
        );
      }
    }
    if (pending.size > 0) await sleep(500);
  }
  return pending.size === 0;
}

/** Waits until the active connector's status (what haconnshow status shows) has the server's power as `power`. */
export async function waitPower(
  ctx: DrillContext,
  server: string,
  power: "pon" | "poff",
  timeoutMs = 15_000,
) {
  return waitUntil(
    async () => {
      const active = await activeNode(ctx.dir);
      const status = active ? await nodeStatus(ctx.dir, active) : undefined;
      return status?.servers.find((s) => s.name === server)?.power === power;
    },
    timeoutMs,
    500,
  );
}

/** Starts a node's haconnd again (a server back from its reset) and waits for its ready line. */
export async function restartNode(ctx: DrillContext, node: LabNode): Promise<{ at: number; ready: string }> {
  const r = startNode(ctx.state, node, ctx.bin);
  const ready = await waitNodeReady(ctx.dir, node, r.pid, r.outOffset);
  return { at: r.startedAt, ready };
}

/**
 * The pair as `lab up` left it: the duplex link up, no node stopped, both haconnd running, one
 * active and one standby with the link OK. Repairs what an interrupted drill left, printing it.
 */
export async function repairPair(ctx: DrillContext, timeoutMs = 30_000): Promise<boolean> {
  const topology = ctx.state.topology;
  if (topology.netns)
    for (const n of LAB_NODES) {
      const ns = topology.netns.nodes[n];
      if (!linkIsUp(ns, topology.duplexDev)) {
        ctx.print(`  repair: the duplex link of ${n} was left down: bringing it up`);
        setLink(ns, topology.duplexDev, true);
      }
    }
  for (const n of LAB_NODES) {
    signalNode(ctx.dir, n, "SIGCONT");
    if (!nodeRunning(ctx.dir, n)) {
      ctx.print(`  repair: haconnd ${n} was not running: starting it again`);
      await restartNode(ctx, n);
    }
  }
  const { ok, view } = await waitPairOk(ctx.dir, timeoutMs);
  if (!ok) ctx.print(`  warning: the pair is not OK: ${describePair(view)}`);
  return ok;
}

/**
 * Before a drill: the pair is OK, every BMC of the drill's servers answers and is powered on,
 * every monitor is registered, and every system is normal. Prints what had to be repaired.
 */
export async function prepare(ctx: DrillContext, systems: readonly LabSystem[]): Promise<boolean> {
  const pair = await repairPair(ctx);
  const servers = [...new Set(systems.map((s) => s.system))];
  for (const name of servers) {
    const bmc = ctx.bmc(name);
    bmc.thaw();
    if (bmc.power() === "off") {
      ctx.print(`  repair: ${name} was left powered off: powering it on`);
      bmc.setPower("on");
      await waitPower(ctx, name, "pon");
    }
  }
  const { refused } = await ctx.monitors.registerAll();
  for (const r of refused) ctx.print(`  registration refused: ${r}`);
  const ok = await settle(
    ctx,
    systems.map((s) => s.subsystem),
  );
  ctx.timeline.events.length = 0; // preparation is not part of the drill's timeline
  return pair && refused.length === 0 && ok;
}
