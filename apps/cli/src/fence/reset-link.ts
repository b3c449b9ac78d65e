// The reset-path client side fence_haconn and ocf:haconn:monitor need: one UDP socket that signs
// what it sends and verifies what it receives (docs/protocol.md §3, §8), RESET with the
// documented retransmission schedule and RESULT-ACK (§6), CHECK, ATTENTION-ACK.
// A thin local adapter until @haconn/client (issue 18 §1) is merged: same wire behaviour.
import { randomInt } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import {
  type CheckReplyBody,
  decodeResetPath,
  encodeResetPath,
  type KeyRing,
  RESET_MAX_SENDS,
  RESET_RETRANSMIT_MS,
  ReplayCache,
  type ResetAcceptedBody,
  type ResetPathMessage,
  type ResetResultBody,
} from "@haconn/protocol";

export interface Endpoint {
  address: string;
  port: number;
}

export class ResetPathSocket {
  private handlers: ((m: ResetPathMessage, from: Endpoint) => void)[] = [];
  private readonly replay = new ReplayCache();
  private nextId = randomInt(1, 0x7fff_ffff);

  private constructor(
    private readonly socket: Socket,
    private readonly key: KeyRing | undefined,
    private readonly senderId: number,
  ) {
    socket.on("message", (bytes, rinfo) => {
      const r = decodeResetPath(bytes, {
        now: Date.now(),
        ...(key ? { auth: { keys: key.keys, require: true, replay: this.replay } } : {}),
      });
      if (!r.ok) return; // dropped: not from the connector, or not for us
      for (const h of this.handlers) h(r.value, { address: rinfo.address, port: rinfo.port });
    });
  }

  /** Binds `bind` (port 0 = any). `key` undefined only for a connector running insecure=on. */
  static async open(bind: Endpoint, key: KeyRing | undefined, senderId: number): Promise<ResetPathSocket> {
    const socket = createSocket({ type: "udp4" });
    await new Promise<void>((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(bind.port, bind.address, () => {
        socket.off("error", reject);
        resolve();
      });
    });
    return new ResetPathSocket(socket, key, senderId);
  }

  get port(): number {
    return this.socket.address().port;
  }

  onMessage(h: (m: ResetPathMessage, from: Endpoint) => void): void {
    this.handlers.push(h);
  }

  newId(): number {
    this.nextId = (this.nextId + 1) >>> 0 || 1;
    return this.nextId;
  }

  header(requestId: number, attempt = 0) {
    return { requestId, senderId: this.senderId, timestampMs: Date.now(), attempt };
  }

  send(to: Endpoint, message: ResetPathMessage): Promise<void> {
    const bytes = encodeResetPath(message, this.key ? { auth: { key: this.key.send } } : {});
    return new Promise((resolve, reject) =>
      this.socket.send(bytes, to.port, to.address, (e) => (e ? reject(e) : resolve())),
    );
  }

  /** First message of `types` with `requestId`, or undefined after `ms`. */
  expect(
    requestId: number,
    types: ResetPathMessage["type"][],
    ms: number,
  ): Promise<ResetPathMessage | undefined> {
    return new Promise((resolve) => {
      const h = (m: ResetPathMessage) => {
        if (m.header.requestId !== requestId || !types.includes(m.type)) return;
        done(m);
      };
      const timer = setTimeout(() => done(undefined), ms);
      const done = (m: ResetPathMessage | undefined) => {
        clearTimeout(timer);
        this.handlers = this.handlers.filter((x) => x !== h);
        resolve(m);
      };
      this.handlers.push(h);
    });
  }

  close(): void {
    this.handlers = [];
    try {
      this.socket.close();
    } catch {
      // closed
    }
  }
}

export interface ResetRequest {
  connector: Endpoint;
  /** The cluster's reset-path port (the requester's registered replyPort). */
  clusterPort: number;
  target: { subsystem: number; system: string };
  /** How long to wait for RESET-RESULT once accepted (ms). */
  resultTimeoutMs: number;
  onAccepted?: (a: ResetAcceptedBody) => void;
  /** Sends before the connector counts as silent (default RESET_MAX_SENDS, §6). */
  maxSends?: number;
}

export type ResetOutcome =
  | { kind: "result"; result: ResetResultBody; sends: number }
  | { kind: "silent"; sends: number; accepted: ResetAcceptedBody | undefined };

/**
 * RESET, retransmitted (same requestId, attempt+1) 500 ms, 1 s, then every 2 s, 10 sends at
 * most, until RESET-ACCEPTED or RESET-RESULT; then the RESET-RESULT is awaited (every copy
 * acknowledged with RESULT-ACK), retransmitting the RESET after 30 s of silence (§6).
 */
export async function requestReset(sock: ResetPathSocket, req: ResetRequest): Promise<ResetOutcome> {
  const requestId = sock.newId();
  const body = {
    targetSubsystem: req.target.subsystem,
    clusterPort: req.clusterPort,
    targetSystemName: req.target.system,
  };
  let accepted: ResetAcceptedBody | undefined;
  let final: ResetResultBody | undefined;
  sock.onMessage((m, from) => {
    if (m.header.requestId !== requestId) return;
    if (m.type === "reset-result") {
      void sock.send(from, {
        type: "result-ack",
        header: sock.header(requestId),
        body: { targetSubsystem: m.body.targetSubsystem },
      });
      final ??= m.body;
    }
    if (m.type === "reset-accepted") {
      accepted = m.body;
      req.onAccepted?.(m.body);
    }
  });
  const until = Date.now() + req.resultTimeoutMs;
  let sends = 0;
  let attempt = 0;
  let lastSend = 0;
  const send = async () => {
    sends += 1;
    lastSend = Date.now();
    await sock.send(req.connector, { type: "reset", header: sock.header(requestId, attempt++), body });
  };
  // Until the connector answers at all.
  while (!accepted && !final && sends < (req.maxSends ?? RESET_MAX_SENDS)) {
    const wait = RESET_RETRANSMIT_MS[Math.min(sends, RESET_RETRANSMIT_MS.length - 1)]!;
    await send();
    await sock.expect(requestId, ["reset-accepted", "reset-result"], wait);
  }
  if (!accepted && !final) return { kind: "silent", sends, accepted };
  // Accepted: wait for the result, asking again after 30 s of silence.
  while (!final && Date.now() < until) {
    await sock.expect(requestId, ["reset-result"], Math.min(1000, Math.max(1, until - Date.now())));
    if (!final && Date.now() - lastSend >= 30_000 && Date.now() < until) await send();
  }
  return final ? { kind: "result", result: final, sends } : { kind: "silent", sends, accepted };
}

/** One CHECK; the reply or undefined after `ms`. */
export async function sendCheck(
  sock: ResetPathSocket,
  connector: Endpoint,
  body: { replyPort: number; intervalSec: number; pairSubsystem: number; systemName: string },
  ms: number,
): Promise<CheckReplyBody | undefined> {
  const requestId = sock.newId();
  const reply = sock.expect(requestId, ["check-reply"], ms);
  await sock.send(connector, {
    type: "check",
    header: sock.header(requestId),
    body: { ...body, kind: "physical", vmName: "" },
  });
  const m = await reply;
  return m?.type === "check-reply" ? m.body : undefined;
}
