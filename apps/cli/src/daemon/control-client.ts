// Client side of haconnd's control socket (contract: apps/haconnd/src/control/wire.ts). A copy
// of apps/haconnd/src/control/client.ts, kept small, with two differences: no module-level
// request counter, and a caller-chosen bound on the reply line (haconndump's state snapshot may
// carry the standby's logs). When the wire moves to a shared package, only daemon.ts changes.
import { randomInt } from "node:crypto";
import { connect } from "node:net";
import { HaconnError } from "@haconn/config";

type ControlResponse =
  | { v: 1; id: number; ok: true; result: unknown }
  | { v: 1; id: number; ok: false; error: { code: string; message: string } };

export interface CallOptions {
  timeoutMs: number;
  /** Longest reply line accepted, in characters. */
  maxLine?: number;
}

/** One request; resolves with its result, rejects with HaconnError (NOT_RUNNING when nobody listens). */
export function controlCall(
  path: string,
  op: string,
  args: Record<string, unknown>,
  options: CallOptions,
): Promise<unknown> {
  const id = randomInt(1, 2 ** 31);
  const maxLine = options.maxLine ?? 1024 * 1024;
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let buffer = "";
    let settled = false;
    const done = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      fn();
    };
    const timer = setTimeout(
      () =>
        done(() =>
          reject(
            new HaconnError("CONTROL_TIMEOUT", `haconnd did not answer ${op} within ${options.timeoutMs} ms`),
          ),
        ),
      options.timeoutMs,
    );
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(`${JSON.stringify({ v: 1, id, op, args })}\n`));
    socket.on("error", (error: NodeJS.ErrnoException) => {
      const notRunning = error.code === "ENOENT" || error.code === "ECONNREFUSED";
      if (error.code === "EACCES" || error.code === "EPERM") {
        // The socket is root's (0600 in a 0700 directory): say why, not "permission denied".
        done(() => reject(new HaconnError("NOT_ROOT", "must be run as root", { cause: error })));
        return;
      }
      done(() =>
        reject(
          new HaconnError(
            notRunning ? "NOT_RUNNING" : "CONTROL_IO",
            notRunning ? "haconnd is not running" : error.message,
            { cause: error },
          ),
        ),
      );
    });
    socket.on("close", () =>
      done(() => reject(new HaconnError("CONTROL_IO", `haconnd closed the connection during ${op}`))),
    );
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      if (buffer.length > maxLine || lines.some((l) => l.length > maxLine)) {
        done(() => reject(new HaconnError("CONTROL_IO", `haconnd's answer to ${op} is too long`)));
        return;
      }
      for (const line of lines) {
        if (line === "") continue;
        let response: ControlResponse;
        try {
          response = JSON.parse(line) as ControlResponse;
        } catch {
          done(() => reject(new HaconnError("CONTROL_IO", `haconnd's answer to ${op} is not JSON`)));
          return;
        }
        if (response.id !== id && response.id !== 0) continue;
        if (response.ok) done(() => resolve(response.result));
        else done(() => reject(new HaconnError(response.error.code, response.error.message)));
      }
    });
  });
}
