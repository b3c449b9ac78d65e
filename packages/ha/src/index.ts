export * from "./election.js";
export * from "./redundancy.js";
export * from "./types.js";
