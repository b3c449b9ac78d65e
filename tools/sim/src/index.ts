export { type RunOptions, type RunResult, runSeed } from "./simulation.js";
export { runBatch, type BatchResult, formatViolation } from "./batch.js";
export { drawScenario, type InjectedBugs, type Scenario } from "./scenario.js";
export { Rng } from "./prng.js";
export type { InvariantName, Violation } from "./world.js";
