export * from "./address.js";
export * from "./channel.js";
export * from "./fake-connector.js";
export * from "./monitor.js";
export * from "./trace.js";
export * from "./cli-support.js";
export * from "./key-registry.js";
