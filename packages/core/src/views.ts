// What `haconnshow status`, `hamonitor` and `ipdu` display, computed from the state (the CLI
// formats it; `--json` prints it). Placeholders as the manual prints them.

import type { ResolvedConfig } from "@haconn/config";
import { outletKey } from "./deltas.js";
import { esxiLink, ipduLink, monitorStatus, serverRuntime } from "./status.js";
import type { LinkState, MonitorRecord, MonitorStatus, SharedState } from "./types.js";

export interface MonitorRow {
  name: string;
  address: string;
  status: MonitorStatus;
  ipAddress: string;
  port: string;
  pair: string;
}

export interface HamonitorView {
  physical: MonitorRow[];
  virtual: { server: string; guests: MonitorRow[] }[];
}

function row(shared: SharedState, name: string, m: MonitorRecord | undefined): MonitorRow {
  if (!m) return { name, address: "----", status: "----", ipAddress: "----", port: "----", pair: "----" };
  return {
    name,
    address: String(m.subsystem),
    status: monitorStatus(shared, m),
    ipAddress: m.addr ?? "----",
    port: String(m.port),
    pair: m.pair === null ? "----" : String(m.pair),
  };
}

export function hamonitorView(
  config: ResolvedConfig,
  shared: SharedState,
  serverName?: string,
): HamonitorView {
  const monitors = Object.values(shared.monitors);
  const physical = config.pservers.map((s) =>
    row(
      shared,
      s.name,
      monitors.find((m) => m.system === s.name && m.vmName === null),
    ),
  );
  const virtual = config.pservers
    .filter((s) => s.vserver?.enabled && (serverName === undefined || s.name === serverName))
    .map((s) => ({
      server: s.name,
      guests: monitors
        .filter((m) => m.system === s.name && m.vmName !== null)
        .sort((a, b) => a.subsystem - b.subsystem)
        .map((m) => row(shared, m.vmName as string, m)),
    }));
  return { physical, virtual };
}

export interface ServerStatusRow {
  name: string;
  power: "pon" | "poff" | "--";
  bmc: LinkState;
  ipdu: LinkState;
  vmware: LinkState;
}

export function serverStatusView(config: ResolvedConfig, shared: SharedState): ServerStatusRow[] {
  return config.pservers.map((s) => {
    const rt = serverRuntime(shared, s.name);
    return {
      name: s.name,
      power: rt.power,
      bmc: rt.bmc,
      ipdu: ipduLink(shared, s),
      vmware: esxiLink(shared, s),
    };
  });
}

export interface PduView {
  addr: string;
  key: string;
  link: LinkState;
  outlets: { outlet: number; status: "Enable" | "Disable" | "--"; pm: "P" | "--"; server: string }[];
}

/** Per PDU: link and the outlets assigned to managed servers (management servers: the ha package). */
export function ipduView(config: ResolvedConfig, shared: SharedState, addr?: string): PduView[] {
  return config.pdus
    .filter((p) => addr === undefined || p.addr === addr)
    .map((p) => ({
      addr: p.addr,
      key: p.key,
      link: shared.pdus[p.key] ?? "--",
      outlets: config.pservers
        .flatMap((s) => s.outlets.filter((o) => o.pdu === p.key).map((o) => ({ o, s })))
        .sort((a, b) => a.o.outlet - b.o.outlet)
        .map(({ o, s }) => {
          const state = shared.outlets[outletKey(p.key, o.outlet)]?.state ?? null;
          const status = state === "on" ? "Enable" : state === "off" ? "Disable" : "--";
          return { outlet: o.outlet, status, pm: "P", server: s.name } as const;
        }),
    }));
}
