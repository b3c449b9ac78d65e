// The simulated dump notifier: "system stopped, dump started", in our DUMP-NOTICE form
// (retransmitted until DUMP-ACK, bounded) or in the fence_kdump form (8 bytes, count times).
import { randomInt } from "node:crypto";
import { createSocket } from "node:dgram";
import { type DumpAckBody, encodeFenceKdump, type KeyRing, RESET_MAX_SENDS } from "@haconn/protocol";
import { HamonSimChannel } from "../hamon-sim/channel.js";
import { type HamonSimEndpoint, hamonSimCheckAddress } from "../hamon-sim/address.js";
import { hamonSimKeyFor } from "../hamon-sim/key-registry.js";
import type { HamonSimLog } from "../hamon-sim/trace.js";

export interface DumpSimNoticeOptions {
  connector: HamonSimEndpoint;
  subsystem: number;
  /** The system's HA monitor reset-path port, 0 if unknown. */
  clusterPort?: number;
  systemName?: string;
  bind?: HamonSimEndpoint;
  inNamespace?: boolean;
  /** Signing key; default: the one registered for the connector (hamonSimKeyFor), unless `unsigned`. */
  key?: KeyRing;
  unsigned?: boolean;
  log?: HamonSimLog;
  maxSends?: number;
  intervalMs?: number;
}

export interface DumpSimNoticeOutcome {
  requestId: number;
  sends: number;
  ack?: DumpAckBody;
}

export async function dumpSimSendNotice(o: DumpSimNoticeOptions): Promise<DumpSimNoticeOutcome> {
  const channel = await HamonSimChannel.open({
    who: `dump[${o.subsystem}]`,
    bind: o.bind ?? { address: "127.0.0.1", port: 0 },
    inNamespace: o.inNamespace,
    key: o.key ?? (o.unsigned ? undefined : hamonSimKeyFor(o.connector)),
    log: o.log,
  });
  const requestId = randomInt(1, 0x7fff_ffff);
  const outcome: DumpSimNoticeOutcome = { requestId, sends: 0 };
  try {
    let resolveAck: (a: DumpAckBody) => void = () => undefined;
    const acked = new Promise<DumpAckBody>((resolve) => {
      resolveAck = resolve;
    });
    channel.onMessage((m) => {
      if (m.type === "dump-ack" && m.header.requestId === requestId) resolveAck(m.body);
    });
    for (let attempt = 0; attempt < (o.maxSends ?? RESET_MAX_SENDS) && !outcome.ack; attempt++) {
      outcome.sends += 1;
      await channel.send(o.connector, {
        type: "dump-notice",
        header: { requestId, senderId: o.subsystem, timestampMs: channel.clock(), attempt },
        body: { clusterPort: o.clusterPort ?? 0, systemName: o.systemName ?? "" },
      });
      const ack = await Promise.race([acked, sleep(o.intervalMs ?? 500)]);
      if (ack) outcome.ack = ack;
    }
    return outcome;
  } finally {
    channel.close();
  }
}

export interface DumpSimKdumpOptions {
  target: HamonSimEndpoint;
  count?: number;
  intervalMs?: number;
  bind?: HamonSimEndpoint;
  inNamespace?: boolean;
  byteOrder?: "little-endian" | "big-endian";
  log?: HamonSimLog;
}

/** Sends the fence_kdump notice `count` times (fence_kdump_send has no acknowledgement). */
export async function dumpSimSendFenceKdump(o: DumpSimKdumpOptions): Promise<number> {
  const bind = o.bind ?? { address: "127.0.0.1", port: 0 };
  hamonSimCheckAddress(bind.address, "bind address", o.inNamespace);
  hamonSimCheckAddress(o.target.address, "destination", o.inNamespace);
  const bytes = encodeFenceKdump(o.byteOrder);
  const socket = createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind(bind.port, bind.address, resolve));
  const count = o.count ?? 1;
  try {
    for (let i = 0; i < count; i++) {
      if (i > 0) await sleep(o.intervalMs ?? 1000);
      o.log?.(
        `${new Date().toISOString()} fence_kdump -> ${o.target.address}:${o.target.port} FENCE-KDUMP ${Buffer.from(bytes).toString("hex")}`,
      );
      await new Promise<void>((resolve, reject) =>
        socket.send(bytes, o.target.port, o.target.address, (e) => (e ? reject(e) : resolve())),
      );
    }
    return count;
  } finally {
    socket.close();
  }
}

function sleep(ms: number): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms));
}
