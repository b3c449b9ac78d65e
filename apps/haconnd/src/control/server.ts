// The daemon's control socket: a UNIX socket in the run directory, mode 0600 inside a 0700
// directory owned by the daemon's user, so only that user and root can connect: the commands
// run as root (they refuse anyone else), the packaged daemon as `haconn` (docs/security.md §4). Each op has an args validator and a handler;
// anything else is answered with an error and the connection stays usable.

import { chmodSync, existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { HaconnError } from "@haconn/config";
import { type ControlRequest, type ControlResponse, encode, LineSplitter, parseRequest } from "./wire.js";

/**
 * The run directory must let only its owner in: an existing directory of ours that is open to
 * others (e.g. created by a packaging tool with mode 0755) is closed to 0700. A directory owned
 * by someone else is refused: whoever owns it could replace the socket.
 */
function privateDirectory(dir: string): void {
  const st = statSync(dir);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) {
    throw new HaconnError(
      "CONTROL_DIR_OWNER",
      `${dir} belongs to uid ${st.uid}, not to this process (uid ${uid})`,
    );
  }
  if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

export interface ControlOp {
  /** Returns an error message when args are invalid, undefined when they are fine. */
  validate?(args: Record<string, unknown>): string | undefined;
  handle(args: Record<string, unknown>): Promise<unknown> | unknown;
}

export interface ControlServerOptions {
  path: string;
  ops: Record<string, ControlOp>;
  onError?: (error: unknown) => void;
}

export class ControlServer {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly options: ControlServerOptions) {}

  async listen(): Promise<void> {
    const { path } = this.options;
    const dir = path.slice(0, path.lastIndexOf("/")) || "/";
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    privateDirectory(dir);
    if (existsSync(path)) rmSync(path); // stale socket of a previous run; the pid lock guards real conflicts
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(path, () => {
        server.off("error", reject);
        resolve();
      });
    });
    chmodSync(path, 0o600);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(this.options.path, { force: true });
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.setEncoding("utf8");
    const splitter = new LineSplitter();
    socket.on("close", () => this.sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    socket.on("data", (chunk: string) => {
      let lines: string[];
      try {
        lines = splitter.push(chunk);
      } catch {
        this.reply(socket, {
          v: 1,
          id: 0,
          ok: false,
          error: { code: "CONTROL_TOO_LONG", message: "line too long" },
        });
        socket.end();
        return;
      }
      for (const line of lines) void this.dispatch(socket, line);
    });
  }

  private async dispatch(socket: Socket, line: string): Promise<void> {
    const parsed = parseRequest(line);
    if (!parsed.ok) {
      this.reply(socket, { v: 1, id: 0, ok: false, error: { code: parsed.code, message: parsed.message } });
      return;
    }
    this.reply(socket, await this.run(parsed.request));
  }

  private async run(request: ControlRequest): Promise<ControlResponse> {
    const { id, op, args } = request;
    const handler = Object.hasOwn(this.options.ops, op) ? this.options.ops[op] : undefined;
    if (!handler)
      return { v: 1, id, ok: false, error: { code: "CONTROL_UNKNOWN_OP", message: `unknown op ${op}` } };
    const invalid = handler.validate?.(args);
    if (invalid !== undefined)
      return { v: 1, id, ok: false, error: { code: "CONTROL_BAD_ARGS", message: invalid } };
    try {
      return { v: 1, id, ok: true, result: (await handler.handle(args)) ?? null };
    } catch (error) {
      this.options.onError?.(error);
      if (HaconnError.isInstance(error))
        return { v: 1, id, ok: false, error: { code: error.code, message: error.message } };
      return { v: 1, id, ok: false, error: { code: "INTERNAL", message: "internal error (see errlog)" } };
    }
  }

  private reply(socket: Socket, response: ControlResponse): void {
    if (!socket.destroyed) socket.write(encode(response));
  }
}
