// @haconn/client/test: fakes for unit tests of code built on the client.
export * from "./memory-network.js";
export * from "./scripted-connector.js";
