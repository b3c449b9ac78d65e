// Device drivers for the configuration: one BMC controller per server (management servers
// too), one ssh connection per ESXi host shared by its guests, one SNMP client per PDU.
// Everything is created lazily from the resolved configuration and closed together.
// The ESXi hosts (ssh2, the commands, their parsing) run in the daemon's ESXi worker thread
// (esxi-worker/): here they are proxies, and the main thread never loads ssh2 (issue 19).

import { type BmcCallStats, IpmitoolController } from "@haconn/bmc";
import { DriverError, type PowerController, type ResolvedConfig } from "@haconn/config";
import type { DeviceRef } from "@haconn/core";
import type { EsxiHostEvent } from "@haconn/esxi";
import { PduClient, ServerOutletsController } from "@haconn/ipdu";
import { EsxiWorkerClient } from "./esxi-worker/client.js";
import { EsxiGuestProxy, EsxiHostLink } from "./esxi-worker/proxies.js";

/** Where an ESXi host-key event is logged (the event log's writer). */
export interface EsxiEventLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

const HOSTKEY_LOG_INTERVAL_MS = 60_000;

/**
 * Logs ESXi host-key events: a key recorded on first use (warn: the operator should compare the
 * fingerprint), a failed recording, a mismatch (error: the connector refused to connect and sent
 * no password). Repeats of the same failure of a host are logged at most once a minute.
 */
export function esxiEventLogger(
  logs: { event: EsxiEventLog },
  now: () => number = Date.now,
): (event: EsxiHostEvent) => void {
  const last = new Map<string, number>();
  const limited = (key: string) => {
    const t = now();
    const prev = last.get(key);
    if (prev !== undefined && t - prev < HOSTKEY_LOG_INTERVAL_MS) return true;
    if (last.size > 1024) last.clear(); // bounded: one entry per configured host in practice
    last.set(key, t);
    return false;
  };
  return (event) => {
    switch (event.type) {
      case "hostkey-recorded":
        logs.event.warn(
          { host: event.hostId, fingerprint: event.fingerprint },
          "ESXi host key recorded on first use: compare it with the host's (or pin it with haconnsetup vserver hostkey=)",
        );
        return;
      case "hostkey-record-failed":
        logs.event.error(
          { host: event.hostId, fingerprint: event.fingerprint, err: event.message },
          "ESXi host key could not be recorded",
        );
        return;
      case "connect-failed":
        if (!/host key/i.test(event.message)) return;
        if (limited(`mismatch ${event.hostId}`)) return;
        logs.event.error(
          { host: event.hostId, code: event.code, err: event.message },
          "ESXi host key mismatch: refused to connect, no password sent",
        );
        return;
      default:
        return;
    }
  };
}

export interface DevicesOptions {
  /** Where trust-on-first-use ESXi host keys are recorded (beside the configuration). */
  hostKeyFile: string;
  onEsxiEvent?: (event: EsxiHostEvent) => void;
  /**
   * The daemon's ESXi worker (shared by the Devices of successive configurations). Without it,
   * these Devices start their own on the first ESXi call and stop it in close().
   */
  esxiWorker?: EsxiWorkerClient;
}

export class Devices {
  private readonly bmcs = new Map<string, IpmitoolController>();
  private readonly hosts = new Map<string, EsxiHostLink>();
  private readonly guests = new Map<string, EsxiGuestProxy>();
  private readonly pdus = new Map<string, PduClient>();
  private readonly outlets = new Map<string, ServerOutletsController>();
  private ownWorker: EsxiWorkerClient | undefined;

  constructor(
    private readonly config: ResolvedConfig,
    private readonly options: DevicesOptions,
  ) {}

  private esxiWorker(): EsxiWorkerClient {
    if (this.options.esxiWorker) return this.options.esxiWorker;
    this.ownWorker ??= new EsxiWorkerClient({
      hostKeyFile: this.options.hostKeyFile,
      ...(this.options.onEsxiEvent ? { onEvent: this.options.onEsxiEvent } : {}),
    });
    return this.ownWorker;
  }

  /** The driver of a device the engine names. */
  controller(device: DeviceRef): PowerController {
    switch (device.type) {
      case "bmc":
        return this.bmc(device.system);
      case "guest":
        return this.guest(device.system, device.vmName);
      case "outlet":
        return this.outlet(device.pdu, device.outlet);
    }
  }

  /**
   * BMC of a managed or management server. Polls and power actions share one persistent
   * ipmitool session per BMC; a power action goes ahead of queued polls and starts a process
   * only when the session is not open (counted: bmcCallStats).
   */
  bmc(name: string): IpmitoolController {
    let c = this.bmcs.get(name);
    if (!c) {
      const server =
        this.config.pservers.find((s) => s.name === name) ??
        this.config.mservers.find((s) => s.name === name);
      if (!server) throw new DriverError("DEVICE_NOT_FOUND", `no server ${name} in the configuration`);
      c = new IpmitoolController({ ...server.bmc }, { session: true });
      this.bmcs.set(name, c);
    }
    return c;
  }

  guest(system: string, vmName: string): EsxiGuestProxy {
    const key = `${system}/${vmName}`;
    let g = this.guests.get(key);
    if (!g) {
      g = new EsxiGuestProxy(this.esxiHost(system), vmName);
      this.guests.set(key, g);
    }
    return g;
  }

  /** The ESXi host of a managed server (one ssh connection, in the worker, shared by its guests). */
  esxiHost(system: string): EsxiHostLink {
    let host = this.hosts.get(system);
    if (!host) {
      const server = this.config.pservers.find((s) => s.name === system);
      if (!server?.vserver) throw new DriverError("DEVICE_NOT_FOUND", `no ESXi settings for ${system}`);
      const { addr, port, account, password } = server.vserver;
      if (addr === null || port === null || account === null || password === null) {
        // as esxiHostFromSettings says it (the worker builds the host)
        const missing = (["addr", "port", "account", "password"] as const).filter(
          (k) => server.vserver?.[k] === null,
        );
        throw new TypeError(`vserver settings incomplete: ${missing.join(", ")} not set`);
      }
      const worker = this.esxiWorker();
      host = new EsxiHostLink(worker, worker.addHost(server.vserver), addr, port, account);
      this.hosts.set(system, host);
    }
    return host;
  }

  pdu(key: string): PduClient {
    let p = this.pdus.get(key);
    if (!p) {
      const settings = this.config.pdus.find((d) => d.key === key);
      if (!settings) throw new DriverError("DEVICE_NOT_FOUND", `no PDU ${key} in the configuration`);
      if (!this.config.snmp)
        throw new DriverError("DEVICE_AUTH", "no SNMP community configured (haconnsetup snmp)");
      p = new PduClient({
        addr: settings.addr,
        port: settings.port,
        community: this.config.snmp.community,
        profile: settings.profile,
      });
      this.pdus.set(key, p);
    }
    return p;
  }

  outlet(pdu: string, outlet: number): ServerOutletsController {
    const key = `${pdu}#${outlet}`;
    let c = this.outlets.get(key);
    if (!c) {
      c = new ServerOutletsController([{ pdu, outlet }], new Map([[pdu, this.pdu(pdu)]]));
      this.outlets.set(key, c);
    }
    return c;
  }

  /** All outlets feeding a management server, as one controller (fencing by PDU). */
  mserverOutlets(name: string): ServerOutletsController | null {
    const m = this.config.mservers.find((s) => s.name === name);
    if (!m || m.outlets.length === 0) return null;
    const map = new Map(m.outlets.map((l) => [l.pdu, this.pdu(l.pdu)] as const));
    return new ServerOutletsController(
      m.outlets.map((l) => ({ ...l })),
      map,
    );
  }

  /** The BMC drivers' counters, summed (metrics: sessions vs one-shot processes). */
  bmcCallStats(): BmcCallStats {
    const sum: BmcCallStats = {
      sessionCalls: 0,
      processCalls: 0,
      processFallbacks: 0,
      shellsStarted: 0,
      reopens: 0,
    };
    for (const c of this.bmcs.values()) {
      const s = c.stats;
      for (const k of Object.keys(sum) as (keyof BmcCallStats)[]) sum[k] += s[k];
    }
    return sum;
  }

  async close(): Promise<void> {
    await Promise.allSettled([
      ...[...this.bmcs.values()].map((c) => c.close()),
      ...[...this.pdus.values()].map((p) => p.close()),
    ]);
    for (const h of this.hosts.values()) h.close();
    await this.ownWorker?.close();
  }
}
