export { PDU_SIM_ENTERPRISE, PDU_SIM_FIRMWARE, PduSim } from "./pdu-sim.js";
export type { PduSimOptions, PduSimState, PduSimTransition, PduSimVariant } from "./pdu-sim.js";
