// What the simulated adversary may do in a run, drawn from the seed (its own sub-stream, so
// the rest of a seed's scenario stays what it was). The adversary is an unauthenticated host on
// the reset-path LAN: it sends forged datagrams at seeded times (adversary.ts); the invariants
// `forged-dump` and `unauthenticated-cancel` (invariants.ts) judge what the connector did.

import type { Rng } from "./prng.js";

export interface AdversarySwitches {
  /**
   * Forged DUMP notices: a registered subsystem from an address that is not the system's; fence_kdump
   * datagrams from unregistered addresses; and notices spoofing the registered address while no
   * reset of that system is in its software-reset phase. On by default (the engine's rule).
   */
  dumpNotices: boolean;
  /**
   * Forged RESULT-ACK / ATTENTION-ACK from other addresses with guessed ids. On by default: the
   * cancel keys (source address in both) already refuse them.
   */
  acks: boolean;
  /**
   * ACKs spoofing a monitor's address from another port. Cut ATTENTION repeats while the cancel key
   * is (eventId, address) — rp-core's ACK keys with source port and subsystem refuse them. Off
   * unless `hardenedAckKeys` models those keys.
   */
  ackPortSpoof: boolean;
  /** Model rp-core's cancel keys (address, port, subsystem) instead of the daemon's keys on this branch. */
  hardenedAckKeys: boolean;
  /**
   * Forged CHECKs with a live monitor's (port, subsystem, system) from another address (squatting
   * the registration). Depends on rp-core's registration-move rule (a live registration moves only
   * when signed or stale): off by default on this branch.
   */
  squatChecks: boolean;
}

export const DEFAULT_ADVERSARY: AdversarySwitches = {
  dumpNotices: true,
  acks: true,
  ackPortSpoof: false,
  hardenedAckKeys: false,
  squatChecks: false,
};

export interface AdversaryPlan {
  switches: AdversarySwitches;
  /** Seed of the adversary's own PRNG (times, targets, its datagrams' delays). */
  seed: number;
  /** Mean gap between two forged datagrams (ms). */
  meanGapMs: number;
}

export function drawAdversary(rng: Rng, opts: Partial<AdversarySwitches> | false | undefined): AdversaryPlan {
  const seed = rng.int(0, 0x7fffffff);
  const meanGapMs = rng.int(150, 800);
  if (opts === false) {
    return {
      seed,
      meanGapMs,
      switches: {
        dumpNotices: false,
        acks: false,
        ackPortSpoof: false,
        hardenedAckKeys: false,
        squatChecks: false,
      },
    };
  }
  return { seed, meanGapMs, switches: { ...DEFAULT_ADVERSARY, ...opts } };
}
