// Per-source limits with bounded memory: what the reset path answers and logs for a sender it
// does not trust. A fixed table of slots indexed by a hash of the key (source address, reason):
// a new key takes its slot and evicts whoever held it, so a flood from millions of spoofed
// sources costs the same memory as one source, never a Map that grows per attacker address.
// Eviction can only make a limit more generous for the evicted key (it starts afresh), so each
// table also has a global budget per window that no number of sources can exceed.
//
// Pure: `now` is passed in (ms); nothing here reads a clock.
//
// The limiter itself (WindowLimit) lives in @haconn/core: the engine's runner limits the log
// lines of refused RESETs with it too.

import { WindowLimit } from "@haconn/core";

export { WindowLimit, type WindowLimitOptions } from "@haconn/core";

/** For one reason: one log line per source per minute, at most 60 lines a minute in all. */
export function logLimit(): WindowLimit {
  return new WindowLimit({ slots: 1024, windowMs: 60_000, perKey: 1, global: 60 });
}

/**
 * Stateless answers to senders the connector does not trust (ERROR to an unknown requester,
 * refused CHECKs, UNSUPPORTED-VERSION, DUMP-ACK `unknown`): at most 2 per source per second and
 * 512 a second in all, so a spoofed source gets a few datagrams, never a flood (an answer is
 * never larger than what it answers). 512 covers the manual's 256 HA monitors checking every
 * second all being refused at once — e.g. after a configuration change that dropped their
 * systems — so each is still told why (KAMN624-E `unknown system`).
 */
export function replyLimit(): WindowLimit {
  return new WindowLimit({ slots: 4096, windowMs: 1000, perKey: 2, global: 512 });
}
