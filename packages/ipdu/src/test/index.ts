// Test helpers for other packages (the engine's tests): an in-memory OutletSwitch.
// Real-peer tests of the driver itself run against the SNMP simulator in tools/lab.
export { FakeOutletSwitch } from "./fake-outlet-switch.js";
export type { FakeOutletCall } from "./fake-outlet-switch.js";
