// The lab's simulators, one folder each. Exported names carry their simulator's prefix so the
// re-exports below never collide.
export * from "./dump-sim/index.js";
export * from "./esxi-sim/index.js";
export * from "./hamon-sim/index.js";
export * from "./ipmi-sim/index.js";
export * from "./netns/index.js";
export * from "./pdu-sim/index.js";
