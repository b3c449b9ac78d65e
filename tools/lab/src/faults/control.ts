// A minimal client of haconnd's control socket (one JSON line each way, docs/operations.md):
// fast enough to sample roles every few tens of milliseconds, which spawning haconnshow is not.

import { connect } from "node:net";
import { join } from "node:path";

export class ControlCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ControlCallError";
  }
}

let nextId = 1;

export function controlRequest<T = unknown>(
  runDir: string,
  op: string,
  args: Record<string, unknown> = {},
  timeoutMs = 3000,
): Promise<T> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const socket = connect(join(runDir, "haconnd.sock"));
    let buffer = "";
    const timer = setTimeout(
      () => finish(() => reject(new ControlCallError("TIMEOUT", `${op} timed out`))),
      timeoutMs,
    );
    const finish = (fn: () => void) => {
      clearTimeout(timer);
      socket.destroy();
      fn();
    };
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(`${JSON.stringify({ v: 1, id, op, args })}\n`));
    socket.on("error", (e: NodeJS.ErrnoException) =>
      finish(() => reject(new ControlCallError(e.code ?? "IO", e.message))),
    );
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      const nl = buffer.indexOf("\n");
      if (nl < 0) return;
      const r = JSON.parse(buffer.slice(0, nl)) as
        | { ok: true; result: T }
        | { ok: false; error: { code: string; message: string } };
      if (r.ok) finish(() => resolve(r.result));
      else finish(() => reject(new ControlCallError(r.error.code, r.error.message)));
    });
  });
}

export interface DumpState {
  node: string;
  role: string;
  link: string;
  drops: Record<string, number> | null;
  shared: { jobs: Record<string, { system: string; subsystem: number; phase: string }> };
}

/** The role a daemon reports, or undefined when it does not answer. */
export async function roleOf(runDir: string, timeoutMs = 1000): Promise<string | undefined> {
  try {
    return (await controlRequest<DumpState>(runDir, "dumpState", {}, timeoutMs)).role;
  } catch {
    return undefined;
  }
}

/** Sum of the reset-path drop counters of a daemon (null when it serves no reset path). */
export function totalDrops(drops: Record<string, number> | null): number {
  return drops ? Object.values(drops).reduce((a, b) => a + b, 0) : 0;
}
