// A connector stand-in for the client's unit tests: it decodes what the client sends (with
// packages/protocol, not with the client) and answers only what the test scripts.
import {
  decodeResetPath,
  encodeResetPath,
  type KeyRing,
  ReplayCache,
  type ResetPathMessage,
} from "@haconn/protocol";
import type { Endpoint } from "../endpoint.js";
import type { MemoryNetwork, MemorySocket } from "./memory-network.js";

export type Script = (m: ResetPathMessage, from: Endpoint, c: ScriptedConnector) => void;

export class ScriptedConnector {
  readonly socket: MemorySocket;
  readonly received: { m: ResetPathMessage; from: Endpoint; at: number }[] = [];
  script: Script = () => undefined;

  constructor(
    net: MemoryNetwork,
    private readonly now: () => number,
    private readonly keys?: KeyRing,
    address = "127.0.0.1",
    port = 5001,
  ) {
    this.socket = net.socket(address, port);
    const replay = new ReplayCache();
    this.socket.onDatagram((bytes, from) => {
      const r = decodeResetPath(bytes, {
        now: this.now(),
        auth: keys ? { keys: keys.keys, require: true, replay } : undefined,
      });
      if (!r.ok) return;
      this.received.push({ m: r.value, from, at: this.now() });
      this.script(r.value, from, this);
    });
  }

  get endpoint(): Endpoint {
    return this.socket.local;
  }

  of<T extends ResetPathMessage["type"]>(type: T): Extract<ResetPathMessage, { type: T }>[] {
    return this.received.filter((r) => r.m.type === type).map((r) => r.m) as Extract<
      ResetPathMessage,
      { type: T }
    >[];
  }

  /** Sends `message` with senderId 0 and this connector's time, signed when it holds a key. */
  reply(
    to: Endpoint,
    message: { type: ResetPathMessage["type"]; body: unknown; requestId: number },
    /** null: unsigned; default: this connector's key. */
    keys: KeyRing | null | undefined = this.keys,
  ): void {
    const full = {
      type: message.type,
      body: message.body,
      header: { requestId: message.requestId, senderId: 0, timestampMs: this.now(), attempt: 0 },
    } as ResetPathMessage;
    void this.socket.send(encodeResetPath(full, keys ? { auth: { key: keys.send } } : {}), to);
  }
}
