// Commands between the two connectors on the duplex stream (docs/protocol.md §5, COMMAND and
// COMMAND-RESULT). One side sends a COMMAND (requestId = its id); the other runs the handler
// registered for it and answers with COMMAND-RESULT frames carrying the same requestId:
// optional "partial" frames (chunks of octets, e.g. a log archive), then one final frame
// ("accepted" for fire-and-forget commands, "done", "failed" or "rejected").

import type { Clock, TimerHandle } from "@haconn/core";
import type { ConnectorRole, DuplexCommand, DuplexMessage, JsonValue } from "@haconn/protocol";
import type { DuplexStream } from "./duplex-link.js";

export interface PeerCommandOutcome {
  status: "accepted" | "done" | "failed" | "rejected";
  data?: JsonValue;
  /** Sent first, as "partial" frames of octets (each ≤ 1 MiB). */
  chunks?: readonly Uint8Array[];
  /** Runs after the final frame is written (e.g. restart or shutdown of this node). */
  after?: () => void;
}

export interface PeerCommandContext {
  role: ConnectorRole;
}

export type PeerCommandHandler = (
  args: JsonValue,
  ctx: PeerCommandContext,
) => PeerCommandOutcome | Promise<PeerCommandOutcome>;

export type PeerCommandHandlers = Partial<Record<DuplexCommand, PeerCommandHandler>>;

export interface PeerCommandResult {
  status: "accepted" | "done" | "failed" | "rejected" | "timeout" | "disconnected";
  data: JsonValue;
  /** The octets of the "partial" frames, in order. */
  chunks: Uint8Array[];
}

interface Pending {
  stream: DuplexStream;
  chunks: Uint8Array[];
  timer: TimerHandle;
  resolve: (r: PeerCommandResult) => void;
}

const CHUNK = 1024 * 1024;
type CommandFrame = Extract<DuplexMessage, { type: "command" }>;
type ResultFrame = Extract<DuplexMessage, { type: "command-result" }>;

export class PeerCommands {
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly clock: Clock,
    private readonly handlers: () => PeerCommandHandlers,
    private readonly log: (message: string) => void,
  ) {}

  /** Sends a command to the peer and resolves with its final result (never rejects). */
  request(
    stream: DuplexStream | undefined,
    command: DuplexCommand,
    args: JsonValue,
    timeoutMs: number,
  ): Promise<PeerCommandResult> {
    if (!stream || stream.closed) return Promise.resolve({ status: "disconnected", data: null, chunks: [] });
    return new Promise((resolve) => {
      const id = stream.send("command", { command, args: { encoding: "json", schema: 1, data: args } });
      const timer = this.clock.setTimeout(() => this.finish(id, "timeout", null), timeoutMs);
      this.pending.set(id, { stream, chunks: [], timer, resolve });
    });
  }

  /** A COMMAND-RESULT frame arrived on `stream`. */
  onResult(m: ResultFrame, stream: DuplexStream): void {
    const p = this.pending.get(m.header.requestId);
    if (!p || p.stream !== stream) return;
    const payload = m.body.data;
    if (m.body.status === "partial") {
      if (payload.encoding === "octets") p.chunks.push(payload.data);
      return;
    }
    this.finish(m.header.requestId, m.body.status, payload.encoding === "json" ? payload.data : null);
  }

  /** A COMMAND frame arrived on `stream`: run its handler and answer. */
  async serve(m: CommandFrame, stream: DuplexStream, ctx: PeerCommandContext): Promise<void> {
    const { command } = m.body;
    const reply = (status: ResultFrame["body"]["status"], chunk: number, data: ResultFrame["body"]["data"]) =>
      stream.send("command-result", { command, status, chunk, data }, m.header.requestId);
    const handler = this.handlers()[command];
    let outcome: PeerCommandOutcome;
    try {
      const args = m.body.args.encoding === "json" ? m.body.args.data : null;
      outcome = handler
        ? await handler(args, ctx)
        : { status: "rejected", data: { code: "UNKNOWN_COMMAND", message: `${command} is not served here` } };
    } catch (error) {
      this.log(`peer command ${command} failed: ${error instanceof Error ? error.message : String(error)}`);
      outcome = { status: "failed", data: { code: "COMMAND_FAILED", message: String(error) } };
    }
    let n = 0;
    for (const c of outcome.chunks ?? []) {
      for (let off = 0; off < c.length; off += CHUNK) {
        reply("partial", n++, { encoding: "octets", schema: 1, data: c.subarray(off, off + CHUNK) });
      }
    }
    reply(outcome.status, n, { encoding: "json", schema: 1, data: outcome.data ?? {} });
    outcome.after?.();
  }

  /** The stream closed: every command still waiting on it resolves "disconnected". */
  streamClosed(stream: DuplexStream): void {
    for (const [id, p] of this.pending) if (p.stream === stream) this.finish(id, "disconnected", null);
  }

  private finish(id: number, status: PeerCommandResult["status"], data: JsonValue): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    this.clock.clearTimeout(p.timer);
    p.resolve({ status, data, chunks: p.chunks });
  }
}

/** The commands every node serves: shutdown, and restart when it is the standby. */
export function builtinPeerCommands(shutdown: () => void, restart: () => void): PeerCommandHandlers {
  return {
    shutdown: () => ({ status: "accepted", after: shutdown }),
    restartStandby: (_args, ctx) =>
      ctx.role === "standby"
        ? { status: "accepted", after: restart }
        : { status: "rejected", data: { code: "NOT_STANDBY", message: "this node is not the standby" } },
  };
}
