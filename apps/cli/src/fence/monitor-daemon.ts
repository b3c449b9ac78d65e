// The long-running part of ocf:haconn:monitor: registers this Pacemaker node with the connector
// as an HA monitor (CHECK every interval, from the cluster's reset-path port, with its pair for
// a two-node cluster), acknowledges and records every ATTENTION, and keeps this node's state file
// (local-state.ts) for fence_haconn. No protocol change: a Pacemaker node is a monitored system
// like any other, so the connector's mutual-reset rule settles two-node fence races.
// The reset path is spoken by @haconn/client.
import { renameSync, writeFileSync } from "node:fs";
import { HaconnClient } from "@haconn/client";
import type { KeyRing } from "@haconn/protocol";
import { type MonitorAttention, type MonitorState, STATE_VERSION } from "./local-state.js";

export interface MonitorConfig {
  node: string;
  subsystem: number;
  system: string;
  pairSubsystem: number;
  clusterPort: number;
  connector: { ip: string; port: number };
  intervalSec: number;
  key: KeyRing | undefined;
  stateFile: string;
  log: (line: string) => void;
}

export function writeStateAtomic(path: string, state: MonitorState): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state)}\n`, { mode: 0o644 });
  renameSync(tmp, path);
}

export async function runMonitorDaemon(c: MonitorConfig): Promise<() => void> {
  const client = await HaconnClient.open({
    connector: { address: c.connector.ip, port: c.connector.port },
    subsystem: c.subsystem,
    ...(c.key ? { keys: c.key } : {}),
    bind: { address: "0.0.0.0", port: c.clusterPort },
  });
  const state: MonitorState = {
    version: STATE_VERSION,
    node: c.node,
    subsystem: c.subsystem,
    system: c.system,
    clusterPort: c.clusterPort,
    connector: c.connector,
    intervalSec: c.intervalSec,
    pairSubsystem: c.pairSubsystem,
    pid: process.pid,
    startedAtMs: Date.now(),
    lastReply: null,
    attentions: [],
  };
  const save = () => writeStateAtomic(c.stateFile, state);
  save();
  // The client acknowledges every copy and hands each event over once.
  client.onAttention((m, info) => {
    const a: MonitorAttention = {
      atMs: Date.now(),
      eventId: m.eventId,
      state: m.state,
      targetSubsystem: m.targetSubsystem,
      targetSystemName: m.targetSystemName,
    };
    state.attentions = [...state.attentions, a].slice(-32);
    c.log(
      `ATTENTION ${a.state} ${a.targetSystemName} (subsystem ${a.targetSubsystem}) from ${info.from.address}`,
    );
    save();
  });
  let lastRole = "";
  let silent = false;
  const stop = client.startChecks(
    { systemName: c.system, pairSubsystem: c.pairSubsystem, intervalSec: c.intervalSec },
    c.intervalSec * 1000,
    {
      onReply: (o) => {
        const r = o.reply;
        const blockers = Object.entries(r.blockers)
          .filter(([, v]) => v)
          .map(([k]) => k);
        state.lastReply = {
          atMs: Date.now(),
          role: r.role,
          status: r.status,
          blockers,
          responder: r.responder,
        };
        if (r.role !== lastRole || silent)
          c.log(
            `CHECK answered by ${r.responder} (${r.role}), status ${r.status}${blockers.length ? `, blockers ${blockers.join(",")}` : ""}`,
          );
        lastRole = r.role;
        silent = false;
        save();
      },
      onError: (e) => {
        if (!silent) c.log(`CHECK not answered: ${(e as Error).message}`);
        silent = true;
      },
    },
  );
  return () => {
    stop();
    client.close();
  };
}
