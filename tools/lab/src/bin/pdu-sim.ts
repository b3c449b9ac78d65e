// Runs PDU simulators on 127.0.0.1 until SIGINT/SIGTERM.
//   PDU_SIM_COMMUNITY=<community> node tools/lab/dist/pdu-sim.js [--variant col11|col13]
//     [--firmware <text>] [--outlets 12] [--count 1] [--port <first port, 0 = free>]
//     [--address <loopback, or any address inside a lab network namespace>] [--report-ms 200]
//     [--panel]
// The community comes from the environment, never from argv. Prints one JSON line per PDU:
// {"target":"127.0.0.1:<port>","variant":...,"firmware":...}; outlet transitions as JSON lines.
// --panel: lines `on <outlet>` / `off <outlet>` on standard input switch the first PDU's outlet
// as at its front panel (not an SNMP write, so not reported as a transition).
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { PduSim, type PduSimVariant } from "../pdu-sim/index.js";

async function main(): Promise<void> {
  const community = process.env.PDU_SIM_COMMUNITY;
  if (!community) {
    console.error("pdu-sim: set PDU_SIM_COMMUNITY (the community is never taken from the command line)");
    process.exitCode = 2;
    return;
  }
  const { values } = parseArgs({
    options: {
      variant: { type: "string", default: "col13" },
      firmware: { type: "string" },
      outlets: { type: "string", default: "12" },
      count: { type: "string", default: "1" },
      port: { type: "string", default: "0" },
      address: { type: "string", default: "127.0.0.1" },
      "report-ms": { type: "string", default: "200" },
      panel: { type: "boolean", default: false },
    },
  });
  if (values.variant !== "col11" && values.variant !== "col13") {
    console.error(`pdu-sim: --variant must be col11 or col13, not ${values.variant}`);
    process.exitCode = 2;
    return;
  }
  const variant: PduSimVariant = values.variant;
  const first = Number(values.port);
  const sims: PduSim[] = [];
  for (let i = 0; i < Number(values.count); i++) {
    const sim = await PduSim.start({
      community,
      variant,
      outlets: Number(values.outlets),
      port: first ? first + i : 0,
      address: values.address,
      ...(values.firmware ? { firmware: values.firmware } : {}),
    });
    sims.push(sim);
    console.log(
      JSON.stringify({ target: sim.target, variant, firmware: sim.firmware, outlets: sim.outlets }),
    );
  }
  if (values.panel)
    createInterface({ input: process.stdin }).on("line", (line) => {
      const [state, outlet] = line.trim().split(/\s+/);
      const n = Number(outlet);
      if ((state === "on" || state === "off") && Number.isInteger(n) && n >= 1 && n <= sims[0]!.outlets)
        sims[0]!.setOutletState(n, state);
    });
  const seen = new Map<PduSim, number>();
  const report = setInterval(
    () => {
      for (const sim of sims) {
        const all = sim.transitions();
        for (const t of all.slice(seen.get(sim) ?? 0))
          console.log(JSON.stringify({ target: sim.target, ...t }));
        seen.set(sim, all.length);
      }
    },
    Math.max(10, Number(values["report-ms"]) || 200),
  );
  const stop = async (): Promise<void> => {
    clearInterval(report);
    await Promise.all(sims.map((s) => s.stop()));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
