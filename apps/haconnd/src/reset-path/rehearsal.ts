// The daemon's reset-path rehearsal, once at start (before the role is decided, so a standby is
// ready for a takeover's first RESETs): core's `rehearseResets` plays whole reset lifecycles on a
// scratch engine state, and every datagram those steps would send goes through a scratch
// ResetPathService into a port that encodes and signs it with the reset-path key, and decodes and
// verifies a RESET the same way the socket does, and sends nothing. So the code a storm's first
// RESETs run (engine, service, codec, HMAC) is compiled and warm, not compiled by them; with
// `--no-flush-bytecode` (bin/_launch) it stays so (issue 19). Nothing is sent, logged as a reset,
// counted in metrics or stored: the live engine is only read (the service looks up job phases).

import { type Clock, type EngineRunner, rehearseResets } from "@haconn/core";
import type { ResolvedConfig } from "@haconn/config";
import {
  decodeResetPath,
  encodeResetPath,
  type KeyRing,
  ReplayCache,
  type ResetPathMessage,
} from "@haconn/protocol";
import { type ResetPathPort, ResetPathService, type ResetPathServiceOptions } from "./service.js";
import type { Peer } from "./socket.js";

export interface RehearsalResult {
  /** Engine steps played (0: the configuration has no two systems to play). */
  steps: number;
  /** Datagrams encoded (none sent). */
  datagrams: number;
  ms: number;
}

export function rehearseResetPath(o: {
  config: ResolvedConfig;
  key: KeyRing | undefined;
  clock: Clock;
  nodeName: string;
  engine: () => EngineRunner;
  redundancy: ResetPathServiceOptions["redundancy"];
}): RehearsalResult {
  const t0 = performance.now();
  const auth = o.key ? { auth: { key: o.key.send } } : {};
  const verifier = o.key ? { keys: o.key.keys, require: true, replay: new ReplayCache() } : undefined;
  let datagrams = 0;
  const port: ResetPathPort = {
    signed: o.key !== undefined,
    send(_to: Peer, message: ResetPathMessage) {
      encodeResetPath(message, auth);
      datagrams += 1;
    },
    refuse: () => undefined,
    mayAnswer: () => true,
  };
  const service = new ResetPathService({
    engine: o.engine,
    clock: o.clock,
    nodeName: o.nodeName,
    role: () => "active",
    redundancy: o.redundancy,
    broadcast: null,
  });
  service.attach(port);
  try {
    const steps = rehearseResets(o.config, {
      now: o.clock.now(),
      onEffect: (effect) => {
        switch (effect.kind) {
          case "sendCheckReply":
          case "sendAccepted":
          case "sendResult":
          case "sendAttention":
            service.send(effect);
            return;
          default:
            return; // books and device calls: formatted by the engine, carried out by nobody
        }
      },
    });
    // A RESET as a monitor would send it, decoded and verified as the socket does.
    const reset = encodeResetPath(
      {
        type: "reset",
        header: { requestId: 1, senderId: 60002, timestampMs: Math.floor(o.clock.now()), attempt: 0 },
        body: { targetSubsystem: 60001, clusterPort: 20001, targetSystemName: "REHEARSAL" },
      },
      auth,
    );
    for (let i = 0; i < 8; i++)
      decodeResetPath(reset, { now: o.clock.now(), ...(verifier ? { auth: verifier } : {}) });
    return { steps, datagrams, ms: performance.now() - t0 };
  } finally {
    service.attach(undefined); // stops the scratch service's repeat timers
  }
}
