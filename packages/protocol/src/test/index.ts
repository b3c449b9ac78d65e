// Helpers for other packages' tests: sample messages and the fixtures' key.
export * from "./samples.js";
export * from "./fuzz.js";
