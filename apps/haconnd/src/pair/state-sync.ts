// State sync frames on the duplex stream: the active sends a SNAPSHOT when the standby connects
// and every DELTA in order after it; the standby keeps a mirror and acknowledges each version.
// A delta that does not follow the mirror's version is a gap: the standby asks for a new
// snapshot by reconnecting.

import type { SharedState, VersionedDelta } from "@haconn/core";
import { recentFromJson, replay } from "@haconn/core";
import type { DuplexMessage, JsonValue } from "@haconn/protocol";

type Body<T extends DuplexMessage["type"]> = Extract<DuplexMessage, { type: T }>["body"];

export interface SyncSender {
  send(type: DuplexMessage["type"], body: unknown): number;
}

const json = (value: unknown) => ({
  encoding: "json" as const,
  schema: 1,
  data: JSON.parse(JSON.stringify(value)) as JsonValue,
});

export function sendSnapshot(s: SyncSender, term: number, shared: SharedState): void {
  s.send("snapshot", { term, stateVersion: shared.version, state: json(shared) });
}

export function sendDeltas(s: SyncSender, term: number, deltas: readonly VersionedDelta[]): void {
  if (deltas.length === 0) return;
  s.send("delta", {
    term,
    baseVersion: deltas[0]!.version - 1,
    stateVersion: deltas[deltas.length - 1]!.version,
    change: json(deltas),
  });
}

/** The mirror a SNAPSHOT carries (undefined for an encoding this version does not read). */
export function mirrorOfSnapshot(body: Body<"snapshot">): SharedState | undefined {
  if (body.state.encoding !== "json") return undefined;
  const shared = body.state.data as unknown as SharedState;
  // `recent` is on the wire the list of entries, oldest first (a record keyed by request in builds
  // before 2026-11-25: the same entries); in memory an index by key with an expiry queue.
  return { ...shared, recent: recentFromJson(shared.recent) };
}

/** The mirror after a DELTA; throws on a gap (the caller re-synchronises). */
export function mirrorWithDelta(mirror: SharedState, body: Body<"delta">): SharedState | undefined {
  if (body.change.encoding !== "json") return undefined;
  return replay(mirror, body.change.data as unknown as VersionedDelta[]);
}
