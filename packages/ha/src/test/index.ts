export { PairSimulation, type SimNode } from "./pair-simulation.js";
