// What the simulated adversary may do in a run, drawn from the seed (its own sub-stream, so
// the rest of a seed's scenario stays what it was). The adversary is an unauthenticated host on
// the reset-path LAN: it sends forged datagrams at seeded times (adversary.ts); the invariants
// `forged-dump` and `unauthenticated-cancel` (invariants.ts) judge what the connector did.

import type { Rng } from "./prng.js";

export interface AdversarySwitches {
  /**
   * Forged DUMP notices: a registered subsystem from an address that is not the system's; fence_kdump
   * datagrams from unregistered addresses; and notices spoofing the registered address while no
   * reset of that system is in its software-reset phase.
   */
  dumpNotices: boolean;
  /** Forged RESULT-ACK / ATTENTION-ACK from other addresses with ids it knows (as if sniffed). */
  acks: boolean;
  /**
   * ACKs spoofing a monitor's address from another port, with another subsystem. The daemon's
   * cancel keys (address, port, subsystem, id: apps/haconnd/src/reset-path/service.ts) refuse them.
   */
  ackPortSpoof: boolean;
  /**
   * Forged CHECKs with a monitor's (port, subsystem, system) from another address (squatting the
   * registration). Key mode: dropped unsigned at the socket. Insecure mode: a live registration
   * never moves; a stale one (or a free slot) may be taken, the documented trade-off of running
   * without a key, counted apart (`insecureTakeovers`), not hidden and not a violation.
   */
  squatChecks: boolean;
  /**
   * The reset path's mode. Key mode (the default product configuration): every datagram but
   * fence_kdump must carry a valid trailer, so the adversary's unsigned ones are dropped at the
   * socket; the monitors' CHECKs are signed. Insecure (`resetpath insecure=on`): the engine's
   * rules alone. Unset: drawn per seed, key mode in one run of three.
   */
  keyMode?: boolean;
}

/** Every adversary on: each CI run and the soak play all of them. */
export const DEFAULT_ADVERSARY: AdversarySwitches = {
  dumpNotices: true,
  acks: true,
  ackPortSpoof: true,
  squatChecks: true,
};

export interface AdversaryPlan {
  switches: AdversarySwitches;
  /** Seed of the adversary's own PRNG (times, targets, its datagrams' delays). */
  seed: number;
  /** Mean gap between two forged datagrams (ms). */
  meanGapMs: number;
  /** The reset path runs with a key (see `AdversarySwitches.keyMode`). */
  keyMode: boolean;
}

export function drawAdversary(rng: Rng, opts: Partial<AdversarySwitches> | false | undefined): AdversaryPlan {
  const seed = rng.int(0, 0x7fffffff);
  const meanGapMs = rng.int(150, 800);
  // Drawn after the above, so that a seed's adversary times stay what they were.
  const drawnKey = rng.chance(1 / 3);
  if (opts === false) {
    return {
      seed,
      meanGapMs,
      keyMode: drawnKey,
      switches: { dumpNotices: false, acks: false, ackPortSpoof: false, squatChecks: false },
    };
  }
  return { seed, meanGapMs, keyMode: opts?.keyMode ?? drawnKey, switches: { ...DEFAULT_ADVERSARY, ...opts } };
}
