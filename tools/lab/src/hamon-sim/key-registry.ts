// Which reset-path key a simulated HA monitor uses for a connector, when the caller gives none:
// the lab harness registers the resetpath.key that haconnsetup created for a connector's
// address and port (tools/lab/src/scenarios/harness.ts), so every scenario runs in key mode
// without handing the key around. One table per process (a vitest file runs in its own worker).
import type { KeyRing } from "@haconn/protocol";
import type { HamonSimEndpoint } from "./address.js";

const keys = new Map<string, KeyRing>();
const id = (e: HamonSimEndpoint) => `${e.address}:${e.port}`;

/** Records (or with undefined, forgets) the key of the connector at `connector`. */
export function hamonSimRegisterKey(connector: HamonSimEndpoint, key: KeyRing | undefined): void {
  if (key) keys.set(id(connector), key);
  else keys.delete(id(connector));
}

/**
 * The key registered for `connector`: by address and port, else by port alone when exactly one
 * registered connector listens on that port (a loopback connector reached through another
 * 127.x address).
 */
export function hamonSimKeyFor(connector: HamonSimEndpoint): KeyRing | undefined {
  const exact = keys.get(id(connector));
  if (exact) return exact;
  const byPort = [...keys.entries()].filter(([k]) => k.endsWith(`:${connector.port}`));
  return byPort.length === 1 ? byPort[0]![1] : undefined;
}
