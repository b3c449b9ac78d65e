// Every drill, in the order `lab drill all` runs them.
import type { Drill } from "../drill-context.js";
import { bmcDead } from "./bmc-dead.js";
import { failureWithDump } from "./failure-with-dump.js";
import { failureWithoutDump } from "./failure-without-dump.js";
import { guestFailure } from "./guest-failure.js";
import { activeKilled, duplexCut } from "./pair-drills.js";
import { pairRace } from "./pair-race.js";
import { powerOff } from "./power-off.js";

export const DRILLS: readonly Drill[] = [
  failureWithDump,
  failureWithoutDump,
  bmcDead,
  guestFailure,
  powerOff,
  pairRace,
  activeKilled,
  duplexCut,
];
