// The answer kept for retransmissions of a RESET and the types it is made of. A leaf (it imports
// nothing), so recent-index.ts can hold RecentRequest entries without importing types.ts, which
// imports recent-index.ts (no import circle). types.ts re-exports all of it.

export type ResetResult = "DUMP" | "POFF" | "FAIL" | "ERROR";
/** RESET-RESULT detail (docs/protocol.md §4.5), the same names as `@haconn/protocol`'s. */
export type ResultDetail =
  | "none"
  | "resetFailed"
  | "requesterBeingReset"
  | "notActive"
  | "invalidRequester"
  | "requesterResetComplete"
  | "unknownTarget";

/** Identity of an HA monitor: `<HA-monitor port>/<subsystem number>`. */
export type TargetKey = string;

/** Answer kept for retransmissions of the same request (requester endpoint + request id). */
export interface RecentRequest {
  key: string;
  target: TargetKey | null;
  result: ResetResult | null;
  /** Detail of `result` (absent in states written before it existed: the result's default). */
  detail?: ResultDetail;
  at: number;
}
