// CI budget, half a (two files so the two cores share the 10 000 runs): seeds 1..5000.
import { expect, it } from "vitest";
import { checkBudget } from "./test/budget.js";

it("5 000 simulated runs from seed 1: no violation outside the known findings", () => {
  checkBudget(expect, 1, 5000);
}, 120_000);
