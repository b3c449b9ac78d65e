// The control-socket operations of haconnd (contract: docs/operations.md "Control socket").
// Each op validates its args; results are plain JSON for the CLI's displays and --json.

import { HaconnError } from "@haconn/config";
import { hamonitorView, ipduView, serverStatusView } from "@haconn/core";
import type { ControlOp } from "./control/server.js";
import type { ControlHost } from "./ops-host.js";
import { diagOps } from "./pair/diag-ops.js";
import { reloadOps } from "./reload/index.js";

/** What the ops see of the daemon: the narrow ControlHost (ops-host.ts), so this file never imports daemon.ts. */
type Daemon = ControlHost;

const str = (v: unknown) => typeof v === "string" && v.length > 0 && v.length <= 64;
const optStr = (v: unknown) => v === undefined || str(v);
const int = (v: unknown, min: number, max: number) =>
  Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max;
const optInt = (v: unknown, min: number, max: number) => v === undefined || int(v, min, max);

function activeOnly(d: Daemon): void {
  if (d.role !== "active") throw new HaconnError("NOT_ACTIVE", "this command runs on the active connector");
}

async function engineCommand(d: Daemon, command: Parameters<Daemon["command"]>[0]) {
  activeOnly(d);
  const r = await d.command(command);
  if (!r.ok) throw new HaconnError(r.code ?? "COMMAND_FAILED", r.message);
  return { message: r.message };
}

/**
 * The management servers' outlets on one PDU (the `M` rows of haconnshow ipdu, which the
 * manual's management-server PDU test procedure reads), each state read now with a short bound.
 */
async function mserverOutletRows(d: Daemon, key: string) {
  const links = d.config.mservers.flatMap((m) =>
    m.outlets.filter((o) => o.pdu === key).map((o) => ({ server: m.name, outlet: o.outlet })),
  );
  return Promise.all(
    links.map(async ({ server, outlet }) => {
      let status: "Enable" | "Disable" | "--" = "--";
      try {
        status =
          (await d.devices.outlet(key, outlet).status({ timeoutMs: 2000 })) === "on" ? "Enable" : "Disable";
      } catch {
        // unreachable: shown as --
      }
      return { outlet, status, pm: "M" as const, server };
    }),
  );
}

/**
 * The VMware column before any guest registers: the engine polls an ESXi host only through its
 * registered guests, so a VMware=Enable server with none shows whether its ESXi answers an
 * authenticated ssh connection now (bounded), instead of "--" until the HA monitors start.
 */
async function withEsxiReachability(d: Daemon, rows: ReturnType<typeof serverStatusView>) {
  return Promise.all(
    rows.map(async (row) => {
      const server = d.config.pservers.find((s) => s.name === row.name);
      if (row.vmware !== "--" || !server?.vserver?.enabled) return row;
      try {
        await d.devices.esxiHost(row.name).connect({ timeoutMs: 3000 });
        return { ...row, vmware: "OK" as const };
      } catch {
        return { ...row, vmware: "NG" as const };
      }
    }),
  );
}

export function controlOps(d: Daemon): Record<string, ControlOp> {
  return {
    ...reloadOps(d),
    ...diagOps(d),
    status: {
      handle: async () => {
        const pair = d.pair;
        const peerRole = pair && pair.link_ !== "--" && pair.state.peer ? pair.state.peer.role : undefined;
        const shown = (r: string | undefined) => (r === "active" || r === "standby" ? r : "---");
        return {
          node: d.options.nodeName,
          mode: "2(server duplication)",
          link: pair ? pair.link_ : "--",
          resetPathAuth: d.resetPathAuth,
          mservers: d.config.mservers.map((m) => {
            const h = d.watch.health.get(m.name)!;
            const self = m.name === d.options.nodeName;
            const fenceView =
              !self && pair && (pair.state.peerStatus === "error" || pair.state.peerStatus === "reset");
            return {
              ...h,
              status: fenceView ? pair.state.peerStatus : h.status,
              role: shown(self ? d.role : peerRole),
            };
          }),
          servers: await withEsxiReachability(d, serverStatusView(d.config, d.shared)),
        };
      },
    },
    hamonitor: {
      validate: (a) => (optStr(a.name) ? undefined : "name= must be a server name"),
      handle: (a) => {
        if (a.name !== undefined && !d.config.pservers.some((s) => s.name === a.name)) {
          throw new HaconnError("UNKNOWN_SERVER", `no managed server ${String(a.name)}`);
        }
        return hamonitorView(d.config, d.shared, a.name as string | undefined);
      },
    },
    ipdu: {
      validate: (a) => (optStr(a.addr) ? undefined : "addr= must be a PDU address"),
      handle: async (a) => {
        const pdus = d.config.pdus.filter(
          (p) => a.addr === undefined || p.addr === a.addr || p.key === a.addr,
        );
        // haconnshow ipdu addr= of a PDU that is not registered: an error, not empty tables.
        if (a.addr !== undefined && pdus.length === 0) {
          throw new HaconnError(
            "UNKNOWN_PDU",
            `no PDU ${String(a.addr)} is registered (haconnshow ipdusetting)`,
          );
        }
        const shared = d.shared;
        const rows = await Promise.all(
          pdus.map(async (p) => {
            let firmware = "--";
            try {
              firmware = await d.devices.pdu(p.key).firmwareVersion({ timeoutMs: 2000 });
            } catch {
              // unreachable: shown as --
            }
            return { addr: p.key, model: p.model, firmware, link: shared.pdus[p.key] ?? "--" };
          }),
        );
        const status = await Promise.all(
          ipduView(d.config, shared, a.addr as string | undefined).map(async (view) => ({
            ...view,
            outlets: [...view.outlets, ...(await mserverOutletRows(d, view.key))].sort(
              (x, y) => x.outlet - y.outlet,
            ),
          })),
        );
        return { pdus: rows, status };
      },
    },
    serverReset: {
      validate: (a) =>
        !str(a.name)
          ? "name is required"
          : !int(a.address, 1, 0xffffffff)
            ? "address= must be a subsystem number"
            : undefined,
      handle: (a) =>
        engineCommand(d, { type: "softResetTest", system: a.name as string, subsystem: a.address as number }),
    },
    serverIpdusd: {
      validate: (a) =>
        !str(a.name)
          ? "name is required"
          : a.mode !== "same" && a.mode !== "serial"
            ? "mode= must be same or serial"
            : !optStr(a.addr) || !optInt(a.offtimeSec, 5, 60) || !optInt(a.wtimeSec, 5, 60)
              ? "addr=, offtime= (5-60) or wtime= (5-60) is invalid"
              : undefined,
      handle: (a) =>
        engineCommand(d, {
          type: "pduTest",
          system: a.name as string,
          mode: a.mode as "same" | "serial",
          ...(a.addr !== undefined ? { addr: a.addr as string } : {}),
          ...(a.offtimeSec !== undefined ? { offtimeSec: a.offtimeSec as number } : {}),
          ...(a.wtimeSec !== undefined ? { wtimeSec: a.wtimeSec as number } : {}),
        }),
    },
    acrecovery: {
      validate: (a) => (str(a.name) ? undefined : "name is required"),
      handle: (a) => engineCommand(d, { type: "acrecovery", system: a.name as string }),
    },
    "act.shutdown": {
      handle: () => {
        activeOnly(d);
        d.pair?.command("shutdown"); // the standby first, as the manual's stop order says
        setImmediate(() => void d.requestExit("haconnact shutdown", 0));
        return { message: "HA connector service is stopping." };
      },
    },
    "act.restart": {
      handle: () => {
        activeOnly(d);
        const pair = d.pair;
        if (pair?.link_ !== "OK")
          throw new HaconnError("NO_STANDBY", "no synchronised standby to hand over to");
        pair.handOver();
        return { message: "HA connector service is handing over to the standby and restarting." };
      },
    },
    "sby.restart": {
      handle: () => {
        const pair = d.pair;
        if (!pair) throw new HaconnError("NO_STANDBY", "no standby connector is configured");
        if (d.role === "standby") {
          pair.restart();
          return { message: "standby connector restarting." };
        }
        if (!pair.command("restartStandby"))
          throw new HaconnError("NO_STANDBY", "the standby connector is not connected");
        return { message: "standby connector restarting." };
      },
    },
    "sby.shutdown": {
      handle: () => {
        const pair = d.pair;
        if (!pair) throw new HaconnError("NO_STANDBY", "no standby connector is configured");
        if (d.role === "standby") {
          setImmediate(() => void d.requestExit("haconnsby shutdown", 0));
          return { message: "standby connector stopping." };
        }
        if (!pair.command("shutdown"))
          throw new HaconnError("NO_STANDBY", "the standby connector is not connected");
        return { message: "standby connector stopping." };
      },
    },
    dumpState: {
      handle: () => ({
        node: d.options.nodeName,
        role: d.role,
        term: d.pair?.state.term ?? null,
        link: d.pair?.link_ ?? "--",
        digest: d.config.digest,
        configMismatch: d.pair?.configMismatch ?? false,
        shared: d.shared,
        drops: d.socket?.drops ?? null,
        // Reset-path counters (drops by reason, fence_kdump drops, refusals) and the sizes of its
        // bounded tables: none grows with the number of unknown senders (docs/protocol.md §9).
        resetPath: d.socket ? { ...d.socket.stats(), service: d.service.stats() } : null,
        mservers: [...d.watch.health.values()],
      }),
    },
  };
}
