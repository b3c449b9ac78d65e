// The simulated dump notifier: "system stopped, dump started", in our DUMP-NOTICE form or in the
// fence_kdump form (8 bytes, count times). DUMP-NOTICE follows notifier rule 2
// (docs/protocol.md §6): every 500 ms until a DUMP-ACK `accepted`, for as long as the dump runs
// (`dumpMs`); `recorded` and `unknown` do not stop it. The DUMP-NOTICE side is @haconn/client's
// dumpNotice (one implementation of the notifier in the repo).
import { createSocket } from "node:dgram";
import { HaconnClient } from "@haconn/client";
import { type DumpAckBody, encodeFenceKdump, type KeyRing } from "@haconn/protocol";
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
  /** At most this many sends (default: no count, only `dumpMs`). */
  maxSends?: number;
  /** How long the simulated dump runs, i.e. how long the notifier repeats (default 10 s, or unbounded when `maxSends` is given). */
  dumpMs?: number;
  intervalMs?: number;
}

export interface DumpSimNoticeOutcome {
  requestId: number;
  sends: number;
  /** The `accepted` DUMP-ACK, or else the last DUMP-ACK received (none: nobody answered). */
  ack?: DumpAckBody;
}

export async function dumpSimSendNotice(o: DumpSimNoticeOptions): Promise<DumpSimNoticeOutcome> {
  hamonSimCheckAddress(o.connector.address, "connector address", o.inNamespace);
  const channel = await HamonSimChannel.open({
    who: `dump[${o.subsystem}]`,
    bind: o.bind ?? { address: "127.0.0.1", port: 0 },
    inNamespace: o.inNamespace,
    key: o.key ?? (o.unsigned ? undefined : hamonSimKeyFor(o.connector)),
    log: o.log,
  });
  const client = new HaconnClient(channel.rp, { connector: o.connector, subsystem: o.subsystem });
  try {
    const outcome = await client.dumpNotice(
      { clusterPort: o.clusterPort ?? 0, systemName: o.systemName ?? "" },
      {
        durationMs: o.dumpMs ?? (o.maxSends === undefined ? 10_000 : Number.POSITIVE_INFINITY),
        ...(o.maxSends !== undefined ? { maxSends: o.maxSends } : {}),
        intervalMs: o.intervalMs ?? 500,
      },
    );
    return {
      requestId: outcome.requestId,
      sends: outcome.sends,
      ...(outcome.ack ? { ack: outcome.ack } : {}),
    };
  } finally {
    client.close();
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
