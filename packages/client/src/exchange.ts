// What one exchange (CHECK, RESET, DUMP-NOTICE) needs from the client: narrow, so reset.ts and
// dump-notice.ts do not see the whole client (ARCHITECTURE example 13).
import type { Header, ResetPathMessage } from "@haconn/protocol";
import type { Clock } from "./clock.js";
import type { Endpoint } from "./endpoint.js";
import type { Mailbox } from "./mailbox.js";

export interface Subscription<T> {
  box: Mailbox<T>;
  dispose(): void;
}

export interface Exchange {
  readonly clock: Clock;
  readonly connector: Endpoint;
  /** Our subsystem number (senderId). */
  readonly subsystem: number;
  /** Our reset-path port (CHECK replyPort, RESET clusterPort). */
  readonly replyPort: number;
  newRequestId(): number;
  header(requestId: number, attempt: number): Header;
  /** Queues every message received from now on for which `pick` returns a value. */
  subscribe<T>(pick: (message: ResetPathMessage, from: Endpoint) => T | undefined): Subscription<T>;
  /** Sends to the connector. */
  send(message: ResetPathMessage): Promise<void>;
}
