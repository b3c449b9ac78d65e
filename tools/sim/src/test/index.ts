export { checkBudget, KNOWN_FINDINGS } from "./budget.js";
