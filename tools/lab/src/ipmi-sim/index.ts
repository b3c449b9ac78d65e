export {
  freeUdpPort as ipmiSimFreeUdpPort,
  IPMI_SIM_CIPHER,
  IpmiSim,
  type IpmiSimAction,
  type IpmiSimActionName,
  type IpmiSimOptions,
  startIpmiSim,
} from "./ipmi-sim.js";
export { buildIpmiSimNmiModule, type IpmiSimNmiModuleOptions } from "./nmi-module.js";
export {
  findIpmitoolProcesses as ipmiSimFindIpmitool,
  type IpmiSimProcessInfo,
  processCpuTicks as ipmiSimProcessCpuTicks,
} from "./proc.js";
