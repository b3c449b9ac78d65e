// The Pacemaker drills (issue 18 §4), in the order `lab drill pacemaker` runs them. Each brings up
// its own cluster (see ../pacemaker-drill-runner.ts); none needs `lab up`.
import type { PacemakerDrill } from "../pacemaker-drill-context.js";
import { pacemakerFence } from "./pacemaker-fence.js";
import { pacemakerFenceRace } from "./pacemaker-fence-race.js";
import { pacemakerKdump } from "./pacemaker-kdump.js";
import { pacemakerNodeFailure } from "./pacemaker-node-failure.js";

export const PACEMAKER_DRILLS: readonly PacemakerDrill[] = [
  pacemakerFence,
  pacemakerNodeFailure,
  pacemakerFenceRace,
  pacemakerKdump,
];
