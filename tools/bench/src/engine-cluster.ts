// The measured HA-monitor cluster, in the bench's main thread: one UDP socket per physical
// system on its own loopback address, all on the same HA-monitor (cluster) port, as HA Monitor
// runs it. Sends CHECK / RESET / DUMP-NOTICE, acknowledges RESET-RESULT and ATTENTION like a
// monitor does, and timestamps (performance.now()) every answer on arrival.

import { createSocket, type Socket } from "node:dgram";
import {
  type AttentionBody,
  type CheckReplyBody,
  decodeResetPath,
  encodeResetPath,
  type ResetPathMessage,
  type ResetResultBody,
} from "@haconn/protocol";

export interface Endpoint {
  addr: string;
  port: number;
}

export interface ClusterMember {
  subsystem: number;
  system: string;
  addr: string;
}

type Waiter<T> = (value: T, at: number) => void;

function bind(socket: Socket, addr: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind({ address: addr, port, exclusive: true }, () => {
      socket.off("error", reject);
      resolve();
    });
  });
}

export class MeasuredCluster {
  private readonly sockets = new Map<number, Socket>();
  private readonly checkWaiters = new Map<string, Waiter<CheckReplyBody>>();
  private readonly resultWaiters = new Map<number, Waiter<ResetResultBody>>();
  private readonly attentionWaiters = new Map<string, Waiter<AttentionBody>>();
  private nextId = 1;
  attentionsReceived = 0;

  private constructor(
    readonly members: ClusterMember[],
    readonly port: number,
    private readonly connector: Endpoint,
  ) {}

  /** Binds every member at its address on one common port (retries on a clash). */
  static async open(members: ClusterMember[], connector: Endpoint): Promise<MeasuredCluster> {
    for (let attempt = 0; ; attempt++) {
      const first = createSocket("udp4");
      await bind(first, members[0]!.addr, 0);
      const port = first.address().port;
      const cluster = new MeasuredCluster(members, port, connector);
      cluster.adopt(members[0]!, first);
      try {
        for (const m of members.slice(1)) {
          const s = createSocket("udp4");
          await bind(s, m.addr, port);
          cluster.adopt(m, s);
        }
        return cluster;
      } catch (error) {
        cluster.close();
        if (attempt >= 5) throw error;
      }
    }
  }

  private adopt(member: ClusterMember, socket: Socket): void {
    this.sockets.set(member.subsystem, socket);
    socket.on("message", (bytes) => {
      const at = performance.now();
      const d = decodeResetPath(bytes, { now: Date.now() });
      if (d.ok) this.receive(member, d.value, at);
    });
  }

  private receive(member: ClusterMember, m: ResetPathMessage, at: number): void {
    switch (m.type) {
      case "check-reply": {
        const key = `${member.subsystem}/${m.header.requestId}`;
        this.checkWaiters.get(key)?.(m.body, at);
        this.checkWaiters.delete(key);
        return;
      }
      case "reset-result": {
        this.send(member, {
          type: "result-ack",
          header: this.header(member, m.header.requestId),
          body: { targetSubsystem: m.body.targetSubsystem },
        });
        this.resultWaiters.get(m.header.requestId)?.(m.body, at);
        this.resultWaiters.delete(m.header.requestId);
        return;
      }
      case "attention": {
        this.attentionsReceived += 1;
        this.send(member, {
          type: "attention-ack",
          header: this.header(member, m.header.requestId),
          body: { eventId: m.body.eventId },
        });
        const key = `${m.body.targetSubsystem}/${m.body.state}`;
        this.attentionWaiters.get(key)?.(m.body, at);
        this.attentionWaiters.delete(key);
        return;
      }
      default:
        return;
    }
  }

  private header(member: ClusterMember, requestId: number) {
    return { requestId, senderId: member.subsystem, timestampMs: Date.now(), attempt: 0 };
  }

  private send(member: ClusterMember, message: ResetPathMessage): void {
    const bytes = encodeResetPath(message);
    this.sockets.get(member.subsystem)!.send(bytes, this.connector.port, this.connector.addr);
  }

  private wait<K, T>(map: Map<K, Waiter<T>>, key: K, timeoutMs: number, what: string) {
    return new Promise<{ value: T; at: number }>((resolve, reject) => {
      const timer = setTimeout(() => {
        map.delete(key);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      map.set(key, (value, at) => {
        clearTimeout(timer);
        resolve({ value, at });
      });
    });
  }

  check(member: ClusterMember, timeoutMs = 3000): Promise<{ value: CheckReplyBody; at: number }> {
    const id = this.nextId++;
    const reply = this.wait(
      this.checkWaiters,
      `${member.subsystem}/${id}`,
      timeoutMs,
      `CHECK reply ${member.system}`,
    );
    this.send(member, {
      type: "check",
      header: this.header(member, id),
      body: {
        replyPort: this.port,
        kind: "physical",
        intervalSec: 1,
        pairSubsystem: 0,
        systemName: member.system,
        vmName: "",
      },
    });
    return reply;
  }

  /** Sends RESET; resolves `sentAt` at once and `result` when the RESET-RESULT arrives. */
  reset(requester: ClusterMember, target: ClusterMember, timeoutMs = 20_000) {
    const id = this.nextId++;
    const result = this.wait(this.resultWaiters, id, timeoutMs, `RESET-RESULT for ${target.system}`);
    const message: ResetPathMessage = {
      type: "reset",
      header: this.header(requester, id),
      body: { targetSubsystem: target.subsystem, clusterPort: this.port, targetSystemName: target.system },
    };
    const bytes = encodeResetPath(message);
    const socket = this.sockets.get(requester.subsystem)!;
    const sentAt = performance.now();
    socket.send(bytes, this.connector.port, this.connector.addr);
    return { sentAt, bytes, result };
  }

  /** Arms a wait for the first ATTENTION about `target` in `state` at any member. */
  attention(target: ClusterMember, state: string, timeoutMs = 20_000) {
    return this.wait(
      this.attentionWaiters,
      `${target.subsystem}/${state}`,
      timeoutMs,
      `ATTENTION ${state} ${target.system}`,
    );
  }

  /** The target's dump tool: DUMP-NOTICE from the target's address. Returns the send time and the datagram. */
  dumpNotice(target: ClusterMember): { sentAt: number; bytes: Uint8Array } {
    const bytes = encodeResetPath({
      type: "dump-notice",
      header: this.header(target, this.nextId++),
      body: { clusterPort: this.port, systemName: target.system },
    });
    const socket = this.sockets.get(target.subsystem)!;
    const sentAt = performance.now();
    socket.send(bytes, this.connector.port, this.connector.addr);
    return { sentAt, bytes };
  }

  close(): void {
    for (const s of this.sockets.values()) {
      try {
        s.close();
      } catch {
        // already closed
      }
    }
    this.sockets.clear();
  }
}
