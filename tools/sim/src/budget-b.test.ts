// CI budget, half b (two files so the two cores share the 10 000 runs): seeds 5001..10000.
import { expect, it } from "vitest";
import { checkBudget } from "./test/budget.js";

it("5 000 simulated runs from seed 5001: no violation outside the known findings", () => {
  checkBudget(expect, 5001, 5000);
}, 120_000);
