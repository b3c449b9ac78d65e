// ESXi host simulator (ssh2 server) for the esxi driver's tests, the lab and the benchmark.
export {
  type EsxiSimAction,
  type EsxiSimAnswer,
  type EsxiSimEvent,
  type EsxiSimGuestSpec,
  type EsxiSimGuestState,
  EsxiSimHost,
  type EsxiSimPower,
} from "./model.js";
export {
  EsxiSim,
  type EsxiSimAuthMethod,
  type EsxiSimAuthRecord,
  type EsxiSimCommandRecord,
  type EsxiSimFailure,
  type EsxiSimOptions,
  esxiSimGenerateHostKey,
} from "./server.js";
