// Drills of the management-server pair: the active killed, the duplex LAN cut.
export { activeKilled } from "./active-killed.js";
export { duplexCut } from "./duplex-cut.js";
