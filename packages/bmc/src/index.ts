// @haconn/bmc: PowerController over the ipmitool CLI (HPE iLO 5/6, RMC, any IPMI 2.0 BMC).
export {
  describeBmc,
  IPMITOOL_DEFAULTS,
  type IpmitoolOptions,
  renderCommandLine,
} from "./ipmitool-args.js";
export {
  type BmcCallStats,
  IpmitoolController,
  type IpmitoolControllerOptions,
} from "./ipmitool-controller.js";
export { IpmitoolSession, type SessionSpawn } from "./ipmitool-session.js";
export { deathSignalLauncher, lightRegistryHome } from "./launcher.js";
export {
  type BmcAction,
  CHASSIS_VERB,
  classifyFailure,
  isControlAcknowledged,
  parsePowerStatus,
} from "./parse-output.js";
