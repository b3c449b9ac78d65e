export * from "./errors.js";
export * from "./power.js";
export * from "./types.js";
