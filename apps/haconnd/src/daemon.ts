// The composition root: configuration -> engine with real drivers, reset-path sockets, logs,
// control socket. One process per management server.

import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { ConfigStore, HaconnError, type ResolvedConfig, resolveConfig } from "@haconn/config";
import { type Clock, createEngineState, type EngineCommand, EngineRunner, systemClock } from "@haconn/core";
import { type ConnectorRole, type KeyRing, parseKeyFile, type RedundancyWarning } from "@haconn/protocol";
import { type ControlOp, ControlServer } from "./control/server.js";
import { controlOps } from "./control-ops.js";
import { Devices } from "./devices.js";
import { type EventLogs, openEventLogs } from "./logs/event-logs.js";
import { GenerationFile } from "./logs/generation-file.js";
import { MserverWatch } from "./mserver-watch.js";
import { ResetPathService } from "./reset-path/service.js";
import { ResetPathSocket } from "./reset-path/socket.js";

export interface DaemonOptions {
  etcDir: string;
  logDir: string;
  runDir: string;
  /** This management server's name (its hostname unless overridden). */
  nodeName: string;
  /** fence_kdump port, null to not listen (default 7410). */
  kdumpPort: number | null;
  /** Send ATTENTION copies by broadcast on the reset-path subnet too. */
  broadcast: boolean;
  clock?: Clock;
  /** Journal/syslog lines (start, stop, abnormal). */
  system?: (line: string) => void;
  /** Called after the daemon stopped by itself (haconnact shutdown): the process should exit. */
  onExit?: (reason: string, code: number) => void;
}

export function broadcastAddress(addr: string, prefixLength: number): string {
  const n = addr.split(".").reduce((a, o) => (a << 8) | Number(o), 0) >>> 0;
  const host = prefixLength >= 32 ? 0 : 2 ** (32 - prefixLength) - 1;
  const b = (n | host) >>> 0;
  return [b >>> 24, (b >>> 16) & 255, (b >>> 8) & 255, b & 255].join(".");
}

function readKeyRing(path: string): KeyRing | undefined {
  if (!existsSync(path)) return undefined;
  if ((statSync(path).mode & 0o077) !== 0) {
    throw new HaconnError("KEY_FILE_MODE", `${path} is readable by group or others: chmod 600 it`);
  }
  return parseKeyFile(readFileSync(path, "utf8"));
}

export class Daemon {
  readonly engine: EngineRunner;
  readonly service: ResetPathService;
  readonly watch: MserverWatch;
  socket: ResetPathSocket | undefined;
  role: ConnectorRole = "undecided";
  private control: ControlServer | undefined;
  private readonly pending = new Map<
    string,
    (r: { ok: boolean; code: string | null; message: string }) => void
  >();
  private nextCommand = 1;
  private stopping = false;

  private constructor(
    readonly options: DaemonOptions,
    readonly config: ResolvedConfig,
    readonly clock: Clock,
    readonly logs: EventLogs,
    readonly resetlog: GenerationFile,
    readonly devices: Devices,
    readonly resetKey: KeyRing | undefined,
  ) {
    this.service = new ResetPathService({
      engine: () => this.engine,
      clock,
      nodeName: options.nodeName,
      role: () => this.role,
      redundancy: () => this.redundancy(),
      broadcast:
        options.broadcast && config.resetpath
          ? broadcastAddress(config.resetpath.addr, config.resetpath.prefixLength)
          : null,
    });
    this.engine = new EngineRunner(createEngineState(config), {
      clock,
      controller: (device) => devices.controller(device),
      send: (effect) => this.service.send(effect),
      log: (line) => resetlog.writeLine(line),
      notice: (level, message) => logs.event[level](message),
      commandResult: (e) => {
        this.pending.get(e.id)?.({ ok: e.ok, code: e.code, message: e.message });
        this.pending.delete(e.id);
      },
      portError: (error, effect) =>
        logs.event.error({ err: String(error), effect: effect.kind }, "effect failed"),
    });
    this.watch = new MserverWatch(config, devices, clock);
  }

  static async start(options: DaemonOptions): Promise<Daemon> {
    const store = new ConfigStore(options.etcDir);
    if (!(await store.exists())) {
      throw new HaconnError(
        "CONFIG_MISSING",
        `no configuration at ${store.path}: set it up with haconnsetup first`,
      );
    }
    const config = resolveConfig(await store.read());
    if (!config.resetpath)
      throw new HaconnError("CONFIG_INCOMPLETE", "the reset path is not set (haconnsetup resetpath)");
    const clock = options.clock ?? systemClock();
    mkdirSync(options.logDir, { recursive: true });
    const logs = openEventLogs({
      dir: options.logDir,
      now: () => clock.now(),
      node: options.nodeName,
      ...(options.system ? { system: options.system } : {}),
    });
    const resetlog = new GenerationFile({
      dir: options.logDir,
      base: "resetlog",
      generations: 8,
      maxBytes: 4 * 1024 * 1024,
    });
    const devices = new Devices(config, { hostKeyFile: join(options.etcDir, "esxi-hostkeys.json") });
    const key = readKeyRing(join(options.etcDir, "resetpath.key"));
    const daemon = new Daemon(options, config, clock, logs, resetlog, devices, key);
    try {
      await daemon.run();
    } catch (error) {
      await daemon.stop("start failed");
      throw error;
    }
    return daemon;
  }

  private async run(): Promise<void> {
    const { config, options, logs } = this;
    logs.init.info({ digest: config.digest, node: options.nodeName }, "haconnd starting");
    const self = config.mservers.find((m) => m.name === options.nodeName);
    if (!self && config.mservers.length > 0) {
      logs.init.warn(`this host (${options.nodeName}) is not a registered management server; running alone`);
    }
    this.watch.start();
    await this.becomeActive();
    this.control = new ControlServer({
      path: join(options.runDir, "haconnd.sock"),
      ops: controlOps(this) as Record<string, ControlOp>,
      onError: (error) => logs.event.error({ err: String(error) }, "control op failed"),
    });
    await this.control.listen();
  }

  /** Takes the reset path: binds the VIP and port, resumes jobs, starts polling. */
  async becomeActive(): Promise<void> {
    const rp = this.config.resetpath!;
    this.socket = await ResetPathSocket.open({
      addr: rp.addr,
      port: rp.port,
      kdumpPort: this.options.kdumpPort,
      ...(this.resetKey ? { key: this.resetKey } : {}),
      now: () => this.clock.now(),
      onMessage: (m, from) => this.service.handle(m, from),
      onKdump: (from) => this.service.kdump(from),
      onDrop: (reason, from, total) =>
        this.logs.event.warn(
          { reason, from: `${from.addr}:${from.port}`, total },
          "reset-path datagram dropped",
        ),
    });
    this.service.attach(this.socket);
    this.role = "active";
    this.engine.dispatch({ type: "start" });
    this.logs.init.info({ addr: rp.addr, port: rp.port }, "active: serving the reset path");
  }

  redundancy(): Record<RedundancyWarning, boolean> {
    const healths = [...this.watch.health.values()];
    // Running alone there is no standby: conditions 1 and 2 hold by definition.
    return {
      standbyNotSynchronised: true,
      standbyAbnormal: true,
      managementServerNotResettable:
        healths.length < 2 || healths.some((h) => h.bmc !== "OK" || h.ipdu === "NG"),
    };
  }

  /** Runs an engine command and resolves with its result. */
  command(command: EngineCommand): Promise<{ ok: boolean; code: string | null; message: string }> {
    const id = `ctl-${this.nextCommand++}`;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.engine.dispatch({ type: "command", id, command });
    });
  }

  /** Stops, then tells the process to exit (operator shutdown, fatal condition). */
  async requestExit(reason: string, code: number): Promise<void> {
    await this.stop(reason);
    this.options.onExit?.(reason, code);
  }

  /** Stops serving; in-flight jobs are logged with their phase, never dropped silently. */
  async stop(reason: string): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const job of Object.values(this.engine.state.shared.jobs)) {
      this.logs.init.warn(
        { system: job.system, subsystem: job.subsystem, phase: job.phase, requesters: job.requesters.length },
        "reset job in flight at shutdown",
      );
    }
    this.engine.stop();
    this.watch.stop();
    this.service.stopRepeats();
    this.socket?.close();
    await this.control?.close();
    await this.devices.close();
    this.logs.init.info({ reason }, "haconnd stopped");
    this.logs.close();
    this.resetlog.close();
    for (const resolve of this.pending.values())
      resolve({ ok: false, code: "STOPPING", message: "haconnd is stopping" });
  }
}
