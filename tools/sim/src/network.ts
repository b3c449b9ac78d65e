// A lossy datagram network: each datagram may be lost or duplicated; each copy arrives after
// the base delay plus a random jitter (so datagrams overtake each other).

import type { LinkFaults } from "./scenario.js";
import type { World } from "./world.js";

export function datagram(world: World, faults: LinkFaults, label: string, deliver: () => void): void {
  const rng = world.rng;
  if (rng.chance(faults.loss)) return;
  const copies = rng.chance(faults.duplicate) ? 2 : 1;
  for (let c = 0; c < copies; c++) {
    world.schedule(faults.delayMs + rng.int(0, faults.jitterMs), label, deliver);
  }
}
