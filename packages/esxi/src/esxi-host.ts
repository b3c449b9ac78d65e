// One ESXi host: one ssh connection kept open and re-opened on failure (with back-off),
// commands multiplexed on it as separate exec channels (at most `maxChannels` at once: OpenSSH's
// MaxSessions is 10), each with its own deadline. Host key pinned or trusted on first use.
import type { CallOptions, DriverError } from "@haconn/config";
import type { Client as SshClient } from "ssh2";
import {
  buildCommands,
  DEFAULT_COMMAND_PATHS,
  type EsxiCommandPaths,
  type EsxiCommands,
} from "./commands.js";
import { esxiError, hostKeyMismatch } from "./errors.js";
import { GuestPowerBatch } from "./guest-power-batch.js";
import { type ExecResult, execOnChannel } from "./exec-channel.js";
import { normalizeFingerprint } from "./fingerprint.js";
import { type HostKeyStore, hostIdOf } from "./host-key-store.js";
import { afterReadyIo } from "./ready-io-turns.js";
import { openConnection } from "./ssh-connect.js";
import { Slots } from "./slots.js";

export interface EsxiHostOptions {
  addr: string;
  /** ssh port, 22 on ESXi. */
  port: number;
  username: string;
  /** Secret: given to ssh2 only, never logged or put in an error. */
  password: string;
  /** Pinned fingerprint `SHA256:…` (VirtualServerSettings.hostKey); null/undefined = trust on first use. */
  hostKey?: string | null;
  /** Where first-use keys are recorded and looked up. Required unless hostKey is pinned. */
  hostKeyStore?: HostKeyStore;
  /** Default per-command deadline (ms), queueing and connecting included. Default 10000. */
  commandTimeoutMs?: number;
  /** ssh handshake + authentication limit (ms). Default 8000. */
  connectTimeoutMs?: number;
  /** Concurrent exec channels on the connection. Default 8 (below OpenSSH's MaxSessions 10). */
  maxChannels?: number;
  /** Wait after a failed connect before the next attempt: doubles from initialMs up to maxMs. */
  backoff?: { initialMs: number; maxMs: number };
  /** ssh keepalive interval (ms), 0 = off. Default 15000. */
  keepaliveIntervalMs?: number;
  /** Output cap per command. Default 4 MiB. */
  maxOutputBytes?: number;
  /** Where vim-cmd, vmdumper and esxcli are (defaults: the bare names, found on ESXi's PATH). */
  commands?: Partial<EsxiCommandPaths>;
  /** Structured, secret-free events for the daemon's log. */
  onEvent?: (event: EsxiHostEvent) => void;
}

export type EsxiHostEvent =
  | { type: "connected"; hostId: string; fingerprint: string }
  | { type: "connect-failed"; hostId: string; code: string; message: string; retryInMs: number }
  | { type: "disconnected"; hostId: string }
  | { type: "hostkey-recorded"; hostId: string; fingerprint: string }
  | { type: "hostkey-record-failed"; hostId: string; fingerprint: string; message: string };

export interface EsxiHostStats {
  connects: number;
  commands: number;
  maxConcurrentChannels: number;
}

interface Connection {
  client: SshClient;
  closed: boolean;
}

/**
 * One ESXi host: a single authenticated ssh connection (opened on first use, reopened with backoff),
 * a bounded number of exec channels, the host key pinned or trusted on first use.
 */
export class EsxiHost {
  readonly hostId: string;
  readonly describe: string;
  readonly username: string;
  /** Default per-call deadline (ms). */
  readonly commandTimeoutMs: number;
  /** The command lines for this host (paths from the options). */
  readonly commands: EsxiCommands;
  readonly #o: EsxiHostOptions;
  readonly #pinned: string | undefined;
  readonly #slots: Slots;
  /** Guests' `status()` of one turn, answered by one command (the poll round's; guest-power-batch.ts). */
  readonly guestPower: GuestPowerBatch = new GuestPowerBatch(this);
  #conn: Connection | undefined;
  #connecting: Promise<Connection> | undefined;
  #trusted: string | undefined;
  #fingerprint: string | undefined;
  #lastError: DriverError | undefined;
  #backoffMs = 0;
  #retryAt = 0;
  #closed = false;
  readonly #stats: EsxiHostStats = { connects: 0, commands: 0, maxConcurrentChannels: 0 };

  constructor(options: EsxiHostOptions) {
    this.#o = options;
    this.hostId = hostIdOf(options.addr, options.port);
    this.describe = `esxi ${this.hostId} user=${options.username}`;
    this.username = options.username;
    this.commandTimeoutMs = options.commandTimeoutMs ?? 10_000;
    this.commands = buildCommands({ ...DEFAULT_COMMAND_PATHS, ...options.commands });
    if (options.hostKey !== null && options.hostKey !== undefined) {
      this.#pinned = normalizeFingerprint(options.hostKey);
      if (this.#pinned === undefined)
        throw new TypeError(`hostKey is not SHA256:<base64>: ${options.hostKey}`);
    } else if (options.hostKeyStore === undefined) {
      throw new TypeError("EsxiHost needs a pinned hostKey or a hostKeyStore for trust on first use");
    }
    this.#slots = new Slots(options.maxChannels ?? 8);
  }

  /** Fingerprint of the key the host presented on the last successful connection. */
  get fingerprint(): string | undefined {
    return this.#fingerprint;
  }

  get connected(): boolean {
    return this.#conn !== undefined && !this.#conn.closed;
  }

  get stats(): Readonly<EsxiHostStats> {
    return { ...this.#stats };
  }

  /** Opens the connection now (link check). Resolves when authenticated. */
  async connect(options: CallOptions = {}): Promise<void> {
    await this.#connection(this.#deadline(options), options.signal);
  }

  /**
   * Runs one command string on the host's shell and returns its output and exit status as they
   * are; the caller decides what a non-zero status means (see `expectSuccess`).
   */
  async exec(command: string, options: CallOptions = {}): Promise<ExecResult> {
    const deadline = this.#deadline(options);
    // The ssh work waits for the I/O already ready, one command per loop turn (ready-io-turns.ts).
    await afterReadyIo();
    const conn = await this.#connection(deadline, options.signal);
    await this.#slots.acquire(deadline, options.signal, () =>
      esxiError(
        "DEVICE_TIMEOUT",
        "command-timeout",
        `${command} on ${this.hostId}: no free channel before the deadline`,
        {
          target: this.hostId,
          command,
        },
      ),
    );
    this.#stats.commands++;
    this.#stats.maxConcurrentChannels = Math.max(this.#stats.maxConcurrentChannels, this.#slots.active);
    try {
      return await execOnChannel({
        client: conn.client,
        command,
        target: this.hostId,
        deadline,
        signal: options.signal,
        connectionLost: () => conn.closed,
        maxOutputBytes: this.#o.maxOutputBytes ?? 4 * 1024 * 1024,
      });
    } finally {
      this.#slots.release();
    }
  }

  /** Ends the connection; later calls reject. Safe to call twice. */
  async close(): Promise<void> {
    this.#closed = true;
    const conn = this.#conn;
    this.#conn = undefined;
    if (conn && !conn.closed) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 1000);
        conn.client.once("close", () => {
          clearTimeout(t);
          resolve();
        });
        conn.client.end();
      });
      conn.client.destroy();
    }
  }

  #deadline(options: CallOptions): number {
    return Date.now() + (options.timeoutMs ?? this.commandTimeoutMs);
  }

  async #connection(deadline: number, signal: AbortSignal | undefined): Promise<Connection> {
    if (this.#closed) throw esxiError("DEVICE_UNREACHABLE", "closed", `${this.describe} is closed`);
    if (this.#conn && !this.#conn.closed) return this.#conn;
    if (this.#connecting === undefined) {
      const last = this.#lastError;
      const wait = this.#retryAt - Date.now();
      if (last !== undefined && wait > 0) {
        throw esxiError(
          last.code,
          (last.details?.reason as "connect-failed") ?? "connect-failed",
          `${last.message} (next attempt in ${wait} ms)`,
          { ...last.details, retryInMs: wait },
          last,
        );
      }
      this.#connecting = this.#open().finally(() => {
        this.#connecting = undefined;
      });
    }
    return raceDeadline(this.#connecting, deadline, signal, () =>
      esxiError(
        "DEVICE_TIMEOUT",
        "connect-failed",
        `connecting to ${this.hostId} passed the call's deadline`,
        {
          target: this.hostId,
        },
      ),
    );
  }

  async #open(): Promise<Connection> {
    const hostId = this.hostId;
    let opened: Awaited<ReturnType<typeof openConnection>>;
    try {
      opened = await openConnection({
        addr: this.#o.addr,
        port: this.#o.port,
        username: this.#o.username,
        password: this.#o.password,
        connectTimeoutMs: this.#o.connectTimeoutMs ?? 8000,
        keepaliveIntervalMs: this.#o.keepaliveIntervalMs ?? 15_000,
        verifyHostKey: (fp) => this.#verifyHostKey(fp),
      });
    } catch (error) {
      const e = error as DriverError;
      const b = this.#o.backoff ?? { initialMs: 500, maxMs: 5000 };
      this.#backoffMs = Math.min(b.maxMs, this.#backoffMs === 0 ? b.initialMs : this.#backoffMs * 2);
      this.#retryAt = Date.now() + this.#backoffMs;
      this.#lastError = e;
      this.#o.onEvent?.({
        type: "connect-failed",
        hostId,
        code: e.code,
        message: e.message,
        retryInMs: this.#backoffMs,
      });
      throw e;
    }
    const conn: Connection = { client: opened.client, closed: false };
    const lost = (): void => {
      if (conn.closed) return;
      conn.closed = true;
      if (this.#conn === conn) this.#conn = undefined;
      this.#o.onEvent?.({ type: "disconnected", hostId });
    };
    opened.client.on("end", lost).on("close", lost).on("error", lost);
    if (this.#closed) {
      opened.client.end();
      throw esxiError("DEVICE_UNREACHABLE", "closed", `${this.describe} is closed`);
    }
    this.#backoffMs = 0;
    this.#lastError = undefined;
    this.#fingerprint = opened.fingerprint;
    this.#stats.connects++;
    this.#conn = conn;
    this.#o.onEvent?.({ type: "connected", hostId, fingerprint: opened.fingerprint });
    await this.#recordFirstUse(opened.fingerprint);
    return conn;
  }

  async #expectedKey(): Promise<string | undefined> {
    if (this.#pinned !== undefined) return this.#pinned;
    return (await this.#o.hostKeyStore?.get(this.hostId)) ?? this.#trusted;
  }

  async #verifyHostKey(fingerprint: string): Promise<DriverError | undefined> {
    const expected = await this.#expectedKey();
    if (expected === undefined || expected === fingerprint) return undefined;
    return hostKeyMismatch(this.hostId, expected, fingerprint);
  }

  async #recordFirstUse(fingerprint: string): Promise<void> {
    if (this.#pinned !== undefined || this.#trusted !== undefined) return;
    this.#trusted = fingerprint;
    const store = this.#o.hostKeyStore;
    if (store === undefined || (await store.get(this.hostId)) !== undefined) return;
    try {
      await store.put(this.hostId, fingerprint);
      this.#o.onEvent?.({ type: "hostkey-recorded", hostId: this.hostId, fingerprint });
    } catch (error) {
      this.#o.onEvent?.({
        type: "hostkey-record-failed",
        hostId: this.hostId,
        fingerprint,
        message: String(error),
      });
    }
  }
}

/** Non-zero exit status → DEVICE_REJECTED with stdout/stderr attached. */
export function expectSuccess(result: ExecResult, target: string): ExecResult {
  if (result.code === 0) return result;
  throw esxiError(
    "DEVICE_REJECTED",
    "command-failed",
    `${result.command} on ${target} failed (exit ${result.code ?? result.signal ?? "none"}): ${firstLine(result.stderr || result.stdout)}`,
    { target, command: result.command, exitCode: result.code, stderr: result.stderr, stdout: result.stdout },
  );
}

function firstLine(text: string): string {
  return text.trim().split(/\r?\n/)[0] ?? "";
}

function raceDeadline<T>(
  work: Promise<T>,
  deadline: number,
  signal: AbortSignal | undefined,
  onTimeout: () => DriverError,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(() => reject(onTimeout())), Math.max(0, deadline - Date.now()));
    const onAbort = (): void => done(() => reject(onTimeout()));
    let settled = false;
    const done = (f: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      f();
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    work.then(
      (v) => done(() => resolve(v)),
      (e: unknown) => done(() => reject(e)),
    );
  });
}
