// Helpers for other packages' tests. The ESXi simulator itself lives in tools/lab (esxi-sim).
export { MemoryHostKeyStore } from "../host-key-store.js";
