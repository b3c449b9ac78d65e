// Client side of the control socket, used by the CLI and the lab. One request per call.

import { connect } from "node:net";
import { HaconnError } from "@haconn/config";
import { type ControlResponse, encode, LineSplitter } from "./wire.js";

let nextId = 1;

/** Sends one request and resolves with its result; rejects with HaconnError (code NOT_RUNNING when nobody listens). */
export function controlCall(
  path: string,
  op: string,
  args: Record<string, unknown> = {},
  timeoutMs = 30_000,
): Promise<unknown> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    const splitter = new LineSplitter();
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new HaconnError("CONTROL_TIMEOUT", `haconnd did not answer ${op} within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = (fn: () => void) => {
      clearTimeout(timer);
      socket.destroy();
      fn();
    };
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(encode({ v: 1, id, op, args })));
    socket.on("error", (error: NodeJS.ErrnoException) => {
      const notRunning = error.code === "ENOENT" || error.code === "ECONNREFUSED";
      done(() =>
        reject(
          new HaconnError(
            notRunning ? "NOT_RUNNING" : "CONTROL_IO",
            notRunning ? "haconnd is not running" : error.message,
            {
              cause: error,
            },
          ),
        ),
      );
    });
    socket.on("data", (chunk: string) => {
      for (const line of splitter.push(chunk)) {
        const response = JSON.parse(line) as ControlResponse;
        if (response.id !== id && response.id !== 0) continue;
        if (response.ok) done(() => resolve(response.result));
        else done(() => reject(new HaconnError(response.error.code, response.error.message)));
      }
    });
  });
}
