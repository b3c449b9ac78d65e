// The composition root: configuration -> engine with real drivers, reset-path sockets, logs,
// control socket, and the pair (election, state sync, fencing, VIP). One process per
// management server.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  ConfigStore,
  DUPLEX_KEY_FILE,
  HaconnError,
  monitorSourceAllowed,
  RESET_PATH_KEY_FILE,
  type ResolvedConfig,
  resolveConfig,
} from "@haconn/config";
import {
  type Clock,
  createEngineState,
  type EngineCommand,
  EngineRunner,
  emptySharedState,
  type SharedState,
  systemClock,
} from "@haconn/core";
import { redundancyWarning, standaloneRedundancyWarning } from "@haconn/ha";
import type { ConnectorRole, KeyRing, RedundancyWarning } from "@haconn/protocol";
import { type ControlOp, ControlServer } from "./control/server.js";
import { controlOps } from "./control-ops.js";
import type { DaemonOptions } from "./daemon-options.js";
import { Devices, esxiEventLogger } from "./devices.js";
import { EsxiWorkerClient } from "./esxi-worker/client.js";
import { type EventLogs, logFileReports, openEventLogs } from "./logs/event-logs.js";
import { readKeyRing } from "./key-ring-file.js";
import { GenerationFile } from "./logs/generation-file.js";
import { createMetrics, type HaconnMetrics } from "./metrics/metrics.js";
import { registerBmcCallMetrics } from "./metrics/bmc-calls.js";
import { serveDaemonMetrics } from "./metrics/daemon-metrics.js";
import type { MetricsServer } from "./metrics/metrics-server.js";
import { type MserverHealth, MserverWatch } from "./mserver-watch.js";
import { broadcastAddress } from "./net/ipv4.js";
import { udpPortInUse } from "./net/udp-port-probe.js";
import { VipManager } from "./net/vip.js";
import { registerVipTakeoverMetrics } from "./metrics/vip-takeover.js";
import { diagPeerCommands } from "./pair/diag-ops.js";
import { PairController } from "./pair/pair-controller.js";
import { openTermStore } from "./pair/term-store.js";
import { reloadPeerCommands } from "./reload/index.js";
import { rereadConfigFile } from "./reload/reread.js";
import { rehearseResetPath } from "./reset-path/rehearsal.js";
import { ResetPathService } from "./reset-path/service.js";
import { ResetPathSocket } from "./reset-path/socket.js";

type CommandOutcome = { ok: boolean; code: string | null; message: string };

/** Longer than any driver deadline: calls made before a reload end on the drivers they began on. */
const RETIRED_DEVICES_CLOSE_MS = 120_000;

const hostKeyFile = (etcDir: string) => join(etcDir, "esxi-hostkeys.json");

/**
 * The daemon's ESXi worker thread (esxi-worker/): every ESXi host's ssh work, off the main thread.
 * Its exit is logged once; the calls it had fail, and a new one starts after a back-off.
 */
function startEsxiWorker(options: DaemonOptions, logs: EventLogs): EsxiWorkerClient {
  const system = options.system;
  return new EsxiWorkerClient({
    hostKeyFile: hostKeyFile(options.etcDir),
    niceOffset: options.esxiWorkerNice ?? null,
    onPriority: (p) =>
      system?.(
        p.error
          ? `haconnd: ESXi worker thread ${p.tid} not lowered to nice ${p.nice}: ${p.error}`
          : `haconnd: ESXi worker thread ${p.tid} at nice ${p.nice}`,
      ),
    onEvent: esxiEventLogger(logs),
    onExit: (exit) => {
      logs.event.error(
        exit,
        "ESXi worker thread exited: its calls failed, a new one starts after the back-off",
      );
      system?.(
        `haconnd: ESXi worker thread exited (code ${exit.code}${exit.error ? `: ${exit.error}` : ""}); ` +
          `${exit.failedCalls} call(s) failed, restart in ${exit.restartInMs} ms`,
      );
    },
  });
}

/** See newEngine: the first poll round after start or takeover (ms). */
const FIRST_POLL_DELAY_MS = 250;

/** How the reset path is authenticated: with resetpath.key, or without (the insecure switch). */
export type ResetPathAuth = "key" | "insecure";

export type { DaemonOptions };

export class Daemon {
  readonly service: ResetPathService;
  /** The running configuration, the drivers made from it and the management-server watch (applyConfig swaps them). */
  private cfg: ResolvedConfig;
  private devs: Devices;
  private w: MserverWatch;
  /** Drivers of a configuration replaced by a reload: they finish their calls, then close. */
  private readonly retired = new Set<Devices>();
  socket: ResetPathSocket | undefined;
  pair: PairController | undefined;
  readonly metrics: HaconnMetrics = createMetrics();
  private metricsServer: MetricsServer | undefined;
  private runner: EngineRunner;
  private readonly vip: VipManager | undefined;
  private standaloneRole: ConnectorRole = "undecided";
  private control: ControlServer | undefined;
  private readonly pending = new Map<string, (r: CommandOutcome) => void>();
  private nextCommand = 1;
  private stopping = false;

  private constructor(
    readonly options: DaemonOptions,
    config: ResolvedConfig,
    readonly clock: Clock,
    readonly logs: EventLogs,
    readonly resetlog: GenerationFile,
    devices: Devices,
    readonly resetKey: KeyRing | undefined,
    /** Runs every ESXi host of every Devices generation (the ssh work, off this thread). */
    private readonly esxiWorker: EsxiWorkerClient,
  ) {
    this.cfg = config;
    this.devs = devices;
    const rp = config.resetpath!;
    this.service = new ResetPathService({
      engine: () => this.runner,
      clock,
      nodeName: options.nodeName,
      role: () => this.role,
      redundancy: () => this.redundancy(),
      broadcast: options.broadcast ? broadcastAddress(rp.addr, rp.prefixLength) : null,
      replicated: (version) => (this.pair ? this.pair.replicated(version, 1000) : Promise.resolve(true)),
      monitorAllowed: (system, addr) => monitorSourceAllowed(this.config, system, addr),
    });
    this.runner = this.newEngine(emptySharedState());
    this.w = new MserverWatch(config, devices, clock);
    const vipMode =
      options.vipMode === "auto" ? (rp.addr.startsWith("127.") ? "none" : "ip") : options.vipMode;
    this.vip =
      vipMode === "ip" ? new VipManager({ addr: rp.addr, prefixLength: rp.prefixLength }) : undefined;
  }

  /** "insecure" when serving without resetpath.key (the operator's insecure switch). */
  get resetPathAuth(): ResetPathAuth {
    return this.resetKey ? "key" : "insecure";
  }

  get config(): ResolvedConfig {
    return this.cfg;
  }

  get devices(): Devices {
    return this.devs;
  }

  get watch(): MserverWatch {
    return this.w;
  }

  /**
   * Runs `next` from now on, in place (haconnact reload on the active, a configuration copied to
   * the standby). The caller has checked that only what a running connector can take differs
   * (reload/classify.ts): the reset path, the duplex LAN and the management servers' iLOs stay.
   */
  applyConfig(next: ResolvedConfig): void {
    const old = this.devs;
    const health = this.w.health;
    this.cfg = next;
    this.devs = new Devices(next, {
      hostKeyFile: hostKeyFile(this.options.etcDir),
      esxiWorker: this.esxiWorker,
    });
    this.w.stop();
    this.w = new MserverWatch(next, this.devs, this.clock);
    for (const m of next.mservers) {
      const h = health.get(m.name);
      const fresh = this.w.health.get(m.name);
      if (h && fresh) Object.assign(fresh, { status: h.status, bmc: h.bmc, ipdu: m.ipdusd ? h.ipdu : "--" });
    }
    this.w.start();
    this.runner.dispatch({ type: "configChanged", config: next });
    const self = next.mservers.find((m) => m.name === this.options.nodeName);
    const peer = next.mservers.find((m) => m.name !== this.options.nodeName);
    if (this.pair && self && peer) this.pair.updateServers(self, peer);
    this.retired.add(old);
    this.clock.setTimeout(() => {
      if (this.retired.delete(old)) void old.close();
    }, RETIRED_DEVICES_CLOSE_MS);
  }

  get engine(): EngineRunner {
    return this.runner;
  }

  get role(): ConnectorRole {
    return this.pair ? this.pair.state.role : this.standaloneRole;
  }

  /** The state to show: the engine's on the active, the mirror of the active's on the standby. */
  get shared(): SharedState {
    return this.role !== "active" && this.pair?.mirror ? this.pair.mirror : this.runner.state.shared;
  }

  private newEngine(shared: SharedState): EngineRunner {
    const { clock, logs, resetlog } = this;
    // The first poll round waits FIRST_POLL_DELAY_MS: a new active answers its first CHECKs and
    // RESETs before that round opens the BMC sessions (a process start each).
    return new EngineRunner(
      createEngineState(this.config, { firstPollDelayMs: FIRST_POLL_DELAY_MS }, shared),
      {
        clock,
        controller: (device) => this.devices.controller(device),
        send: (effect) => this.service.send(effect),
        log: (line, record) => {
          resetlog.writeLine(line);
          this.metrics.resetLog(record);
        },
        notice: (level, message) => logs.event[level](message),
        commandResult: (e) => {
          this.pending.get(e.id)?.({ ok: e.ok, code: e.code, message: e.message });
          this.pending.delete(e.id);
        },
        portError: (error, effect) =>
          logs.event.error({ err: String(error), effect: effect.kind }, "effect failed"),
        stateChanged: (deltas) => {
          this.metrics.stateChanged(deltas);
          this.pair?.publish(deltas);
        },
        // Fan-out and books one step per loop turn, after the I/O already waiting (issue 19).
        defer: (work) => setImmediate(work),
      },
    );
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
    // The key before anything else: a reset path without one is refused unless the operator set
    // the explicit insecure switch (haconnsetup resetpath insecure=on), shown in status and logs.
    const keyPath = join(options.etcDir, RESET_PATH_KEY_FILE);
    const key = readKeyRing(keyPath);
    if (!key && !config.resetPathInsecure) {
      throw new HaconnError(
        "KEY_FILE_MISSING",
        `the reset path needs ${keyPath} (haconnsetup resetpath key=new creates it; docs/security.md), ` +
          "or the explicit insecure switch haconnsetup resetpath insecure=on",
      );
    }
    const clock = options.clock ?? systemClock();
    mkdirSync(options.logDir, { recursive: true, mode: 0o750 });
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
      deferred: true, // sends of the same engine step go out before the appends
      ...logFileReports(options.system, (lost, file) =>
        logs.event.warn({ file, lost }, "reset log lines were lost while the log file could not be written"),
      ),
    });
    const esxiWorker = startEsxiWorker(options, logs);
    const devices = new Devices(config, { hostKeyFile: hostKeyFile(options.etcDir), esxiWorker });
    const daemon = new Daemon(options, config, clock, logs, resetlog, devices, key, esxiWorker);
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
    const auth = this.resetPathAuth;
    logs.init.info(
      {
        digest: config.digest,
        node: options.nodeName,
        resetPathAuth: auth,
        ...(this.resetKey ? { keyIds: this.resetKey.keys.map((k) => k.id) } : {}),
        kdump: this.kdumpPort ?? "off",
      },
      "haconnd starting",
    );
    if (auth === "insecure") {
      const line =
        "INSECURE: the reset path runs without resetpath.key (haconnsetup resetpath insecure=on): " +
        "anyone on the reset-path LAN can request a reset";
      logs.init.warn(line);
      options.system?.(`haconnd: ${line}`);
    }
    const self = config.mservers.find((m) => m.name === options.nodeName);
    const peer = config.mservers.find((m) => m.name !== options.nodeName);
    this.watch.start();
    this.metrics.dropSource("reset-path", () => this.socket?.drops);
    registerBmcCallMetrics(this.metrics.registry, () => this.devices.bmcCallStats());
    const vip = this.vip;
    if (vip) registerVipTakeoverMetrics(this.metrics.registry, () => vip.stats);
    if (options.metrics) {
      this.metricsServer = await serveDaemonMetrics(
        options.metrics,
        {
          metrics: this.metrics,
          role: () => this.role,
          synchronised: () => this.pair?.link_ === "OK",
          mservers: () => this.watch.health.values(),
        },
        (error) => logs.event.warn({ err: String(error) }, "metrics scrape failed"),
      );
    }
    this.rehearse();
    if (self?.mlan && peer?.mlan) {
      const key = readKeyRing(join(options.etcDir, DUPLEX_KEY_FILE));
      if (!key) {
        throw new HaconnError(
          "KEY_FILE_MISSING",
          `the duplex link needs ${join(options.etcDir, DUPLEX_KEY_FILE)} (docs/protocol.md)`,
        );
      }
      if (this.vip) await this.vip.release(); // a node that starts never holds the VIP
      const terms = openTermStore(options.stateDir, (message) => logs.event.warn(message), options.runDir);
      const daemon = this; // the host's getters read the configuration a reload may replace
      this.pair = new PairController(
        {
          clock: this.clock,
          get devices() {
            return daemon.devices;
          },
          get digest() {
            return daemon.config.digest; // a reload changes it
          },
          log: (level, message, fields) => logs.event[level](fields ?? {}, message),
          becomeActive: (mirror, stale) => this.becomeActive(mirror, stale),
          becomeStandby: () => this.becomeStandby(),
          vipInUseElsewhere: () => this.vipInUseElsewhere(),
          shared: () => this.runner.state.shared,
          shutdown: (reason) => void this.requestExit(reason, 0),
          peerCommands: () => ({ ...reloadPeerCommands(this), ...diagPeerCommands(this) }),
          rereadConfig: () => rereadConfigFile(this),
          termChanged: (term) => terms.save(term),
        },
        { self, peer, key, term: terms.term },
      );
      await this.pair.start();
      logs.init.info({ peer: peer.name }, "pair mode: deciding the role with the peer");
    } else {
      if (!self && config.mservers.length > 0) {
        logs.init.warn(`this host (${options.nodeName}) is not a registered management server`);
      }
      logs.init.warn("no peer with a duplex LAN address: running alone, without redundancy");
      await this.becomeActive();
    }
    this.control = new ControlServer({
      path: join(options.runDir, "haconnd.sock"),
      ops: controlOps(this) as Record<string, ControlOp>,
      onError: (error) => logs.event.error({ err: String(error) }, "control op failed"),
    });
    await this.control.listen();
  }

  /** Plays reset lifecycles on a scratch state before the first RESET (reset-path/rehearsal.ts). */
  private rehearse(): void {
    try {
      const r = rehearseResetPath({
        config: this.config,
        key: this.resetKey,
        clock: this.clock,
        nodeName: this.options.nodeName,
        engine: () => this.runner,
        redundancy: () => this.redundancy(),
      });
      this.logs.init.info(
        { steps: r.steps, datagrams: r.datagrams, ms: Math.round(r.ms) },
        "reset path rehearsed on a scratch state (nothing sent)",
      );
    } catch (error) {
      this.logs.init.warn({ err: String(error) }, "reset path rehearsal failed (nothing was sent)");
    }
  }

  /** The fence_kdump port, or null: the configuration's (off unless configured), or the caller's override. */
  get kdumpPort(): number | null {
    return this.options.kdumpPort !== undefined ? this.options.kdumpPort : (this.config.kdumpPort ?? null);
  }

  /** Takes the reset path: adds the VIP, binds the port, resumes jobs from the mirror, polls. */
  async becomeActive(mirror?: SharedState, stale = false): Promise<void> {
    const rp = this.config.resetpath!;
    const t0 = performance.now();
    this.runner.stop();
    this.runner = this.newEngine(mirror ?? this.runner.state.shared);
    const tEngine = performance.now();
    const armed = this.vip?.armed ?? false;
    if (this.vip)
      await this.vip.acquire((e) =>
        this.logs.event.warn({ err: String(e) }, "gratuitous ARP for the VIP failed"),
      );
    const tVip = performance.now();
    this.socket = await ResetPathSocket.open({
      addr: rp.addr,
      port: rp.port,
      kdumpPort: this.kdumpPort,
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
    const tBound = performance.now();
    this.service.attach(this.socket);
    this.standaloneRole = "active";
    this.runner.dispatch({ type: "start", ...(stale ? { stale: true } : {}) });
    if (stale) {
      this.logs.event.warn(
        "took over by fencing: new RESETs wait for the old active's device deadlines, resumed hardware resets for the dump grace",
      );
    }
    this.metrics.syncState(this.runner.state.shared);
    const ms = (a: number, b: number) => Math.round((b - a) * 10) / 10;
    this.logs.init.info(
      {
        addr: rp.addr,
        port: rp.port,
        // Where the takeover's time went (ms): engine made, VIP added, socket bound, engine started.
        steps: {
          engine: ms(t0, tEngine),
          vip: ms(tEngine, tVip),
          bind: ms(tVip, tBound),
          start: ms(tBound, performance.now()),
        },
        ...(this.vip ? { vipArmed: armed } : {}),
      },
      "active: serving the reset path",
    );
  }

  /** Leaves the reset path: stops acting, closes the port, removes the VIP. */
  async becomeStandby(): Promise<void> {
    this.runner.stop();
    this.service.attach(undefined);
    this.socket?.close();
    this.socket = undefined;
    this.metrics.clearLinks(["bmc", "esxi", "pdu"]);
    if (this.vip)
      await this.vip.release().catch((e) => this.logs.event.error({ err: String(e) }, "VIP release failed"));
    // Finds the interface and arms the takeover's commands: a takeover then starts no process.
    await this.vip?.prepare();
    this.logs.event.info({ role: this.role }, "not active: the reset path is left to the peer");
  }

  /** Does another host serve the reset path? (ARP probe of the VIP, or a bind test on loopback.) */
  async vipInUseElsewhere(): Promise<boolean> {
    if (this.vip) return this.vip.inUseElsewhere();
    const rp = this.config.resetpath!;
    return udpPortInUse(rp.addr, rp.port);
  }

  redundancy(): Record<RedundancyWarning, boolean> {
    const health = (name: string): MserverHealth | undefined => this.watch.health.get(name);
    const view = (h: MserverHealth | undefined, role: ConnectorRole) => ({
      role,
      status: h?.status ?? ("--" as const),
      bmc: h?.bmc ?? ("--" as const),
      ipdu: h?.ipdu ?? ("--" as const),
    });
    const w = this.pair
      ? redundancyWarning({
          link: this.pair.link_,
          self: view(health(this.options.nodeName), this.role),
          peer: view(health(this.pair.state.peerName), this.pair.state.peer?.role ?? "undecided"),
        })
      : standaloneRedundancyWarning([...this.watch.health.values()]);
    return {
      standbyNotSynchronised: w.standbyNotSynchronised,
      standbyAbnormal: w.standbyAbnormal,
      managementServerNotResettable: w.serverNotResettable,
    };
  }

  /** Runs an engine command and resolves with its result. */
  command(command: EngineCommand): Promise<CommandOutcome> {
    const id = `ctl-${this.nextCommand++}`;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.runner.dispatch({ type: "command", id, command });
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
    for (const job of Object.values(this.runner.state.shared.jobs)) {
      this.logs.init.warn(
        { system: job.system, subsystem: job.subsystem, phase: job.phase, requesters: job.requesters.length },
        "reset job in flight at shutdown",
      );
    }
    const wasActive = this.role === "active";
    this.pair?.stop();
    this.runner.stop();
    this.watch.stop();
    this.service.stopRepeats();
    this.socket?.close();
    this.vip?.disarm();
    if (this.vip && wasActive) await this.vip.release().catch(() => undefined);
    await this.control?.close();
    await this.metricsServer?.close();
    await Promise.allSettled([this.devices, ...this.retired].map((d) => d.close()));
    this.retired.clear();
    await this.esxiWorker.close();
    this.logs.init.info({ reason }, "haconnd stopped");
    this.logs.close();
    this.resetlog.close();
    for (const resolve of this.pending.values())
      resolve({ ok: false, code: "STOPPING", message: "haconnd is stopping" });
  }
}
