export { SimulatedClock, flushMicrotasks } from "./simulated-clock.js";
export {
  FakePowerController,
  type FakeCall,
  type FakeControllerOptions,
  type FakeOp,
} from "./fake-controller.js";
export { buildConfig, managedServer, pduSettings, type ConfigSpec, type ServerSpec } from "./builders.js";
export { EngineHarness, deviceKey, type HarnessOptions } from "./harness.js";
