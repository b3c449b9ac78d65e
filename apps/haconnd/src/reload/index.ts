// Configuration between the nodes: haconnact copy / reload (control ops and peer commands).
import type { ControlOp } from "../control/server.js";
import type { Daemon } from "../daemon.js";
import type { PeerCommandHandlers } from "../pair/peer-commands.js";

export function reloadOps(_d: Daemon): Record<string, ControlOp> {
  return {};
}

export function reloadPeerCommands(_d: Daemon): PeerCommandHandlers {
  return {};
}
