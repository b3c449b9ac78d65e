// One command on its own exec channel of an open connection, with a deadline that closes the
// channel. Many of these run side by side on one connection.
import type { DriverError } from "@haconn/config";
import type { ClientChannel, Client as SshClient } from "ssh2";
import { esxiError } from "./errors.js";

export interface ExecResult {
  command: string;
  stdout: string;
  stderr: string;
  /** Exit status; null when the command was killed by a signal or the server sent none. */
  code: number | null;
  signal: string | undefined;
}

export interface ExecParams {
  client: SshClient;
  command: string;
  target: string;
  /** Absolute time (Date.now() scale) by which the command must have finished. */
  deadline: number;
  signal: AbortSignal | undefined;
  /** True once the connection has ended; tells a lost connection from a command failure. */
  connectionLost(): boolean;
  maxOutputBytes: number;
}

export function execOnChannel(p: ExecParams): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    let channel: ClientChannel | undefined;
    let done = false;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let bytes = 0;
    let code: number | null = null;
    let exitSignal: string | undefined;
    let sawExit = false;

    const finish = (error: DriverError | undefined): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      p.signal?.removeEventListener("abort", onAbort);
      if (error !== undefined) {
        channel?.close();
        reject(error);
        return;
      }
      resolve({
        command: p.command,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        code,
        signal: exitSignal,
      });
    };
    const facts = { target: p.target, command: p.command };
    const timeout = (): void =>
      finish(
        esxiError(
          "DEVICE_TIMEOUT",
          "command-timeout",
          `${p.command} on ${p.target} passed its deadline`,
          facts,
        ),
      );
    const onAbort = (): void =>
      finish(esxiError("DEVICE_TIMEOUT", "command-timeout", `${p.command} on ${p.target} aborted`, facts));
    const timer = setTimeout(timeout, Math.max(0, p.deadline - Date.now()));
    if (p.signal?.aborted) return onAbort();
    p.signal?.addEventListener("abort", onAbort, { once: true });

    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > p.maxOutputBytes) {
        finish(esxiError("DEVICE_BAD_OUTPUT", "bad-output", `${p.command}: output too large`, facts));
        return;
      }
      into.push(chunk);
    };
    const lost = (): DriverError =>
      esxiError(
        "DEVICE_UNREACHABLE",
        "connection-lost",
        `connection to ${p.target} lost while running ${p.command}; outcome unknown`,
        facts,
      );

    try {
      p.client.exec(p.command, (error, stream) => {
        if (done) {
          stream?.close();
          return;
        }
        if (error) {
          finish(
            p.connectionLost()
              ? lost()
              : esxiError(
                  "DEVICE_REJECTED",
                  "command-failed",
                  `${p.target} refused a channel for ${p.command}: ${error.message}`,
                  facts,
                  error,
                ),
          );
          return;
        }
        channel = stream;
        stream.on("data", collect(out));
        stream.stderr.on("data", collect(err));
        stream.on("exit", (exitCode: number | null, sig?: string) => {
          sawExit = true;
          code = typeof exitCode === "number" ? exitCode : null;
          exitSignal = sig;
        });
        stream.on("close", () => {
          if (!sawExit && p.connectionLost()) finish(lost());
          else finish(undefined);
        });
      });
    } catch (error) {
      finish(lost());
      void error;
    }
  });
}
