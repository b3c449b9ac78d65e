// An in-test haconnd: the daemon's own ControlServer on a socket in a temporary run directory,
// answering with canned op handlers and recording every request. Used by this app's tests only.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ControlOp, ControlServer } from "../../../haconnd/src/control/server.js";

export interface FakeDaemon {
  /** HACONN_RUN_DIR for the commands. */
  runDir: string;
  /** Every request that reached the daemon, in order. */
  calls: { op: string; args: Record<string, unknown> }[];
  stop(): Promise<void>;
}

export type Handlers = Record<string, (args: Record<string, unknown>) => unknown>;

export async function startFakeDaemon(handlers: Handlers): Promise<FakeDaemon> {
  const runDir = await mkdtemp(join(tmpdir(), "haconn-cli-run-"));
  const calls: FakeDaemon["calls"] = [];
  const ops: Record<string, ControlOp> = {};
  for (const [op, handle] of Object.entries(handlers)) {
    ops[op] = {
      handle: (args) => {
        calls.push({ op, args });
        return handle(args);
      },
    };
  }
  const server = new ControlServer({ path: join(runDir, "haconnd.sock"), ops });
  await server.listen();
  return {
    runDir,
    calls,
    stop: async () => {
      await server.close();
      await rm(runDir, { recursive: true, force: true });
    },
  };
}
