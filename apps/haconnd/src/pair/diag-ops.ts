// PDU cut tests of the management servers (haconnact/haconnsby ipdusd, run by the other node)
// and the standby's logs for haconndump (collectLogs over the duplex link).
import type { ControlOp } from "../control/server.js";
import type { Daemon } from "../daemon.js";
import type { PeerCommandHandlers } from "./peer-commands.js";

export function diagOps(_d: Daemon): Record<string, ControlOp> {
  return {};
}

export function diagPeerCommands(_d: Daemon): PeerCommandHandlers {
  return {};
}
