// Helpers for other packages' tests. The simulated BMC (ipmi_sim launcher) lives in tools/lab
// (ipmi-sim); real-peer tests of this driver run there (tools/lab/src/ipmi-sim/*.test.ts).
export {};
