// lab: a whole haconn installation on this machine, with no hardware.
//   lab up                     simulators + haconnd, configured with haconnsetup (printed)
//   lab drill <name>|all       failure drills with a timeline and a verdict line each
//   lab drills                 the drills and what they check
//   lab status                 haconnshow status / hamonitor / ipdu against the lab
//   lab down                   stops everything and removes the lab directory
// The lab directory is $HACONN_LAB_DIR (default /tmp/haconn-lab). Exit status: 0, 1 when
// something failed (a drill verdict FAIL included), 2 on a usage error.
import { HaconnError } from "@haconn/config";
import { labDown } from "../lab/down.js";
import { labDrill } from "../lab/drill-runner.js";
import { DRILLS } from "../lab/drills/index.js";
import { labDirFromEnv } from "../lab/paths.js";
import { labStatus } from "../lab/status.js";
import { labUp } from "../lab/up.js";

const USAGE = `usage: lab up | lab drill <name>|all | lab drills | lab status | lab down
  The lab lives in $HACONN_LAB_DIR (default /tmp/haconn-lab). Everything runs on 127.0.0.0/8.`;

const print = (line: string) => process.stdout.write(`${line}\n`);

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const dir = labDirFromEnv();
  switch (command) {
    case "up":
      await labUp({ dir, print });
      return 0;
    case "drill": {
      if (rest.length !== 1) {
        print(USAGE);
        return 2;
      }
      const outcomes = await labDrill({ dir, name: rest[0]!, print });
      return outcomes.some((o) => o.verdict === "FAIL") ? 1 : 0;
    }
    case "drills":
      for (const d of DRILLS)
        print(`${d.name.padEnd(22)} ${d.needsPair ? "(needs the pair) " : ""}${d.summary}`);
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
