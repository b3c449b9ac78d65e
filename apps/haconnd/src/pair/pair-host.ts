// What the pair controller needs of the daemon (PairHost) and how it is configured (PairOptions).

import type { DeepReadonly, ManagementServer } from "@haconn/config";
import type { Clock, SharedState } from "@haconn/core";
import type { HaTiming } from "@haconn/ha";
import type { KeyRing } from "@haconn/protocol";
import type { Devices } from "../devices.js";
import type { PeerCommandHandlers } from "./peer-commands.js";

export interface PairHost {
  clock: Clock;
  devices: Devices;
  digest: string;
  log(level: "info" | "warn" | "error", message: string, fields?: Record<string, unknown>): void;
  /**
   * Take the reset path. `stale`: the state may lack what the old active did alone (a takeover
   * by fencing): the engine then holds back new RESETs and hardware resets for a while.
   */
  becomeActive(mirror: SharedState | undefined, stale: boolean): Promise<void>;
  becomeStandby(): Promise<void>;
  vipInUseElsewhere(): Promise<boolean>;
  /** The active's shared state now (for a snapshot). */
  shared(): SharedState;
  shutdown(reason: string): void;
  /** Commands the peer may send to this node (copyConfig, pduCutTest, collectLogs, ...). */
  peerCommands?(): PeerCommandHandlers;
  /** Called by restart(), as the role is decided again: re-read the configuration file. */
  rereadConfig?(): Promise<unknown>;
  /** The term grew: persist it before acting on it (pair/term-store.ts). */
  termChanged?(term: number): void;
}

export interface PairOptions {
  self: DeepReadonly<ManagementServer>;
  peer: DeepReadonly<ManagementServer>;
  key: KeyRing;
  timing?: HaTiming;
  term?: number;
}
