// What the control-socket operations and the peer commands need of the daemon, as narrow
// interfaces. daemon.ts builds the ops (controlOps(this), reloadPeerCommands(this),
// diagPeerCommands(this)) and satisfies these structurally; the ops never import daemon.ts, so
// the import graph has no circle (ARCHITECTURE.md, example 13).

import type { ResolvedConfig } from "@haconn/config";
import type { Clock, EngineCommand, EngineRunner, ResetLogRecord, SharedState } from "@haconn/core";
import type { ConnectorRole } from "@haconn/protocol";
import type { DaemonOptions } from "./daemon-options.js";
import type { Devices } from "./devices.js";
import type { EventLogs } from "./logs/event-logs.js";
import type { MserverHealth } from "./mserver-watch.js";
import type { PairController } from "./pair/pair-controller.js";
import type { ResetPathService } from "./reset-path/service.js";
import type { ResetPathSocket } from "./reset-path/socket.js";

/** The pair as the ops see it: its state, requests to the peer and the operator's commands. */
export type PairPort = Pick<
  PairController,
  "state" | "link_" | "request" | "command" | "handOver" | "restart" | "configMismatch"
>;

/** Common to every op: who this node is, what it runs, its role and its pair. */
export interface NodeView {
  readonly options: Pick<DaemonOptions, "nodeName" | "etcDir" | "logDir">;
  readonly config: ResolvedConfig;
  readonly role: ConnectorRole;
  readonly pair: PairPort | undefined;
  readonly logs: Pick<EventLogs, "event">;
}

/** haconnact copy / reload and the standby's copyConfig (reload/). */
export interface ConfigReloader extends NodeView {
  readonly clock: Pick<Clock, "now">;
  readonly engine: Pick<EngineRunner, "state">;
  /** Runs `next` from now on, in place. */
  applyConfig(next: ResolvedConfig): void;
}

/** The management servers' PDU tests and the standby's logs (pair/diag-ops.ts). */
export interface DiagHost extends NodeView {
  readonly clock: Clock;
  readonly devices: Devices;
  readonly resetlog: { writeLine(line: string): void };
  readonly metrics: { resetLog(record: ResetLogRecord): void };
}

type CommandOutcome = { ok: boolean; code: string | null; message: string };

/** Everything the control socket shows or runs (control-ops.ts). */
export interface ControlHost extends ConfigReloader, DiagHost {
  readonly clock: Clock;
  readonly resetPathAuth: "key" | "insecure";
  /** The state to show: the engine's on the active, the mirror of the active's on the standby. */
  readonly shared: SharedState;
  readonly socket: Pick<ResetPathSocket, "drops" | "stats"> | undefined;
  readonly service: Pick<ResetPathService, "stats">;
  readonly watch: { readonly health: ReadonlyMap<string, MserverHealth> };
  command(command: EngineCommand): Promise<CommandOutcome>;
  requestExit(reason: string, code: number): Promise<void>;
}
