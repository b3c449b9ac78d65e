// The long-running part of ocf:haconn:monitor: registers this Pacemaker node with the connector
// as an HA monitor (CHECK every interval, from the cluster's reset-path port, with its pair for
// a two-node cluster), acknowledges and records every ATTENTION, and keeps this node's state file
// (local-state.ts) for fence_haconn. No protocol change: a Pacemaker node is a monitored system
// like any other, so the connector's pair arbitration settles two-node fence races.
import { renameSync, writeFileSync } from "node:fs";
import type { KeyRing } from "@haconn/protocol";
import { type MonitorAttention, type MonitorState, STATE_VERSION } from "./local-state.js";
import { ResetPathSocket, sendCheck } from "./reset-link.js";

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
  const sock = await ResetPathSocket.open({ address: "0.0.0.0", port: c.clusterPort }, c.key, c.subsystem);
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
  const seen = new Map<number, number>();
  const save = () => writeStateAtomic(c.stateFile, state);
  save();
  sock.onMessage((m, from) => {
    if (m.type !== "attention") return;
    void sock.send(from, {
      type: "attention-ack",
      header: sock.header(m.header.requestId),
      body: { eventId: m.body.eventId },
    });
    if (seen.has(m.body.eventId)) return;
    seen.set(m.body.eventId, Date.now());
    for (const [id, at] of seen) if (Date.now() - at > 600_000) seen.delete(id);
    const a: MonitorAttention = {
      atMs: Date.now(),
      eventId: m.body.eventId,
      state: m.body.state,
      targetSubsystem: m.body.targetSubsystem,
      targetSystemName: m.body.targetSystemName,
    };
    state.attentions = [...state.attentions, a].slice(-32);
    c.log(`ATTENTION ${a.state} ${a.targetSystemName} (subsystem ${a.targetSubsystem}) from ${from.address}`);
    save();
  });
  let lastRole = "";
  const check = async () => {
    const reply = await sendCheck(
      sock,
      { address: c.connector.ip, port: c.connector.port },
      {
        replyPort: c.clusterPort,
        intervalSec: c.intervalSec,
        pairSubsystem: c.pairSubsystem,
        systemName: c.system,
      },
      Math.min(2000, c.intervalSec * 1000),
    ).catch(() => undefined);
    if (!reply) return;
    const blockers = Object.entries(reply.blockers)
      .filter(([, v]) => v)
      .map(([k]) => k);
    state.lastReply = {
      atMs: Date.now(),
      role: reply.role,
      status: reply.status,
      blockers,
      responder: reply.responder,
    };
    if (reply.role !== lastRole)
      c.log(`CHECK answered by ${reply.responder} (${reply.role}), status ${reply.status}`);
    lastRole = reply.role;
    save();
  };
  void check();
  const timer = setInterval(() => void check(), c.intervalSec * 1000);
  return () => {
    clearInterval(timer);
    sock.close();
  };
}
