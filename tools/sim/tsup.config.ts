// The soak runner `dist/sim.js` (run by scripts/sim.sh with the project's Node).
import { application } from "../../tsup.shared";

export default application({ sim: "src/bin/sim.ts" });
