export * from "./notice.js";
