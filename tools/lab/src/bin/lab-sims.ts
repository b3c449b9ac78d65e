// lab-sims: the lab's simulator supervisor (started detached by `lab up`, stopped by `lab down`).
//   node tools/lab/dist/lab-sims.js <sims-spec.json>
// Secrets come from the environment (HACONN_LAB_BMC_PASSWORD, HACONN_LAB_ESXI_PASSWORD,
// HACONN_LAB_PDU_COMMUNITY). Runs until SIGTERM/SIGINT, then stops every simulator.
import { readFileSync } from "node:fs";
import type { SimsSpec } from "../lab/sims-info.js";
import { startSims } from "../lab/sims-supervisor.js";

async function main(): Promise<number> {
  const specPath = process.argv[2];
  if (!specPath) {
    console.error("usage: lab-sims <sims-spec.json>");
    return 2;
  }
  const spec = JSON.parse(readFileSync(specPath, "utf8")) as SimsSpec;
  const stopRequested = new Promise<string>((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
  const sims = await startSims(spec);
  console.log(`lab-sims ready: ${Object.keys(sims.info.bmcs).length} BMCs, PDU, ESXi (pid ${process.pid})`);
  const signal = await stopRequested;
  console.log(`lab-sims: ${signal}, stopping the simulators`);
  await sims.stop();
  // Everything is closed; a handle a library keeps open must not keep the lab alive.
  setTimeout(() => process.exit(0), 3000).unref();
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`lab-sims: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  },
);
