// lab: a whole haconn installation on this machine, with no hardware.
//   lab up [--loopback]        the pair (HACON1, HACON2) + simulators, configured with haconnsetup (printed)
//   lab drill <name>|all       failure drills with a timeline and a verdict line each
//   lab drill pacemaker[-…]    Pacemaker drills: each brings up its own corosync + Pacemaker
//                              cluster with the haconn pair and ipmi_sim BMCs, and tears it down
//   lab drills                 the drills and what they check
//   lab status                 haconnshow status (both nodes) / hamonitor / ipdu against the lab
//   lab down                   stops everything, removes the namespaces and the lab directory
// The lab directory is $HACONN_LAB_DIR (default /tmp/haconn-lab). As root with network
// namespaces the nodes are separate hosts with a real virtual IP; elsewhere (or --loopback) all
// runs on 127.0.0.0/8. Exit status: 0, 1 when something failed (a drill verdict FAIL included),
// 2 on a usage error.
import { HaconnError } from "@haconn/config";
import { labDown } from "../lab/down.js";
import { labDrill } from "../lab/drill-runner.js";
import { DRILLS } from "../lab/drills/index.js";
import { PACEMAKER_DRILLS } from "../lab/drills/pacemaker-index.js";
import { LabError } from "../lab/errors.js";
import { registerLabMonitors } from "../lab/monitors.js";
import { reenterLabNetns } from "../lab/netns-exec.js";
import { labPacemakerDrills, pacemakerDrillsFor } from "../lab/pacemaker-drill-runner.js";
import { labDirFromEnv } from "../lab/paths.js";
import { readState, requireUp, type UpState } from "../lab/state.js";
import { labStatus } from "../lab/status.js";
import { labUp } from "../lab/up.js";

const USAGE = `usage: lab up [--loopback] | lab drill <name>|all|pacemaker | lab drills | lab status | lab down
  The lab lives in $HACONN_LAB_DIR (default /tmp/haconn-lab). As root with network namespaces the
  two haconnd nodes are separate hosts with a real virtual IP; elsewhere, or with --loopback,
  everything runs on 127.0.0.0/8. The pacemaker-* drills (\`lab drill pacemaker\` runs the four) need
  no \`lab up\`: each brings up its own Pacemaker cluster, as root, and removes it afterwards.`;

const print = (line: string) => process.stdout.write(`${line}\n`);

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const dir = labDirFromEnv();
  switch (command) {
    case "up":
      if (rest.some((a) => a !== "--loopback")) {
        process.stderr.write(`${USAGE}\n`);
        return 2;
      }
      await labUp({ dir, print, loopback: rest.includes("--loopback") });
      return 0;
    case "drill": {
      if (rest.length !== 1) {
        print(USAGE);
        return 2;
      }
      const pacemaker = pacemakerDrillsFor(rest[0]!);
      if (pacemaker) {
        const outcomes = await labPacemakerDrills(pacemaker, print);
        return outcomes.some((o) => o.verdict === "FAIL") ? 1 : 0;
      }
      const inside = reenterLabNetns(requireUp(dir), ["drill", rest[0]!]);
      if (inside !== undefined) return inside;
      const outcomes = await labDrill({ dir, name: rest[0]!, print });
      return outcomes.some((o) => o.verdict === "FAIL") ? 1 : 0;
    }
    case "_register": {
      // Internal: the last step of `lab up`, run inside the lab's namespace in netns mode.
      const state = readState(dir);
      if (!state?.sims || !state.topology || !state.clusterPorts || !state.resetPath)
        throw new LabError("LAB_NOT_UP", `no lab starting in ${dir}`);
      await registerLabMonitors(state as UpState);
      return 0;
    }
    case "drills":
      for (const d of DRILLS) print(`${d.name.padEnd(22)} ${d.summary}`);
      print("");
      print(
        "Pacemaker drills (each on a cluster of its own, no `lab up`; as root; `lab drill pacemaker` runs all):",
      );
      for (const d of PACEMAKER_DRILLS) print(`${d.name.padEnd(22)} ${d.summary}`);
      return 0;
    case "status":
      return (await labStatus({ dir, print })) ? 0 : 1;
    case "down":
      await labDown({ dir, print });
      return 0;
    case "help":
    case "--help":
    case "-h":
      print(USAGE);
      return 0;
    default:
      process.stderr.write(`${USAGE}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = HaconnError.isInstance(error)
      ? `${error.code}: ${error.message}`
      : error instanceof Error
        ? (error.stack ?? error.message)
        : String(error);
    process.stderr.write(`lab: ${message}\n`);
    process.exitCode = error && HaconnError.isInstance(error) && error.code === "LAB_USAGE" ? 2 : 1;
  },
);
