export * from "./control.js";
export * from "./lossy-relay.js";
export * from "./prng.js";
export * from "./report.js";
export * from "./requester.js";
