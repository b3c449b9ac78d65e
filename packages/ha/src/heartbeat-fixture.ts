// Unit-test fixture (not exported by the package): a peer's heartbeat as the daemon dispatches it.
import type { HaEvent, Role } from "./types.js";

export const heartbeatEvent = (now: number, role: Role, term: number, from: string): HaEvent => ({
  type: "heartbeat",
  now,
  from,
  role,
  term,
  digest: "d",
  stateVersion: 0,
});
